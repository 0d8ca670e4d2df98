import type { OutboxStatus } from '../../protocol';
import type { EntryStore } from '../log/entries';
import type { ReplayGate } from '../lanes/gate';
import type { InFlight } from '../lanes/in-flight';
import type { NetworkState } from '../lanes/network';
import type { EventHub } from './hub';

/** How long bursts of changes are gathered into one status broadcast. */
const statusDelayMs = 150;

/** Where the status's figures come from. `draining` is the scheduler's, read when asked. */
export interface StatusSources {
  instance: string;
  entries: EntryStore;
  events: EventHub;
  gate: ReplayGate;
  network: NetworkState;
  inFlight: InFlight;
  draining: () => boolean;
}

/** The status pages see (pending, in flight, online, draining, last error), read or broadcast. */
export class StatusReporter {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastError: string | null = null;

  constructor(private readonly sources: StatusSources) {}

  /** Remembers a send's error for the status; a success clears it. */
  noteError(error: string | null, confirmed: boolean): void {
    if (confirmed) this.lastError = null;
    else if (error !== null) this.lastError = error;
  }

  async status(): Promise<OutboxStatus> {
    const { entries, gate, network, inFlight } = this.sources;
    const [pending, dead] = await Promise.all([entries.countPending(gate.partition), entries.countDead()]);
    return {
      instance: this.sources.instance,
      pending,
      dead,
      inFlight: inFlight.requests,
      online: network.online,
      draining: this.sources.draining(),
      paused: gate.paused,
      lastError: this.lastError,
    };
  }

  /** Something the status shows changed: one broadcast follows for the whole burst. */
  changed(): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.status().then((status) => this.sources.events.broadcastStatus(status));
    }, statusDelayMs);
  }

  /** Broadcasts the status now, so tabs learn of a new worker instance at once (and reconnect). */
  async announce(): Promise<void> {
    this.sources.events.broadcastStatus(await this.status());
  }
}

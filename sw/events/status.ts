import type { OutboxStatus } from '../../protocol';
import type { EventHub } from './hub';

/** How long bursts of changes are gathered into one status broadcast. */
const statusDelayMs = 150;

/** Where the status's figures come from, each read when the status is asked for. */
export interface StatusSources {
  instance: string;
  events: EventHub;
  /** Writes of the active partition still to be sent, and dead-lettered ones. */
  counts: () => Promise<{ pending: number; dead: number }>;
  /** Requests on the wire now. */
  requests: () => number;
  online: () => boolean;
  paused: () => boolean;
  draining: () => boolean;
}

/** The status pages see (pending, in flight, online, draining, last error), read or broadcast. */
export class StatusReporter {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastError: string | null = null;
  private servedOffline = false;

  constructor(private readonly sources: StatusSources) {}

  /** Remembers a send's error for the status; a success clears it. */
  noteError(error: string | null, confirmed: boolean): void {
    if (confirmed) this.lastError = null;
    else if (error !== null) this.lastError = error;
  }

  /** A read on a route was answered from a kept copy (true) or by the network (false). */
  noteRead(fromKeptCopy: boolean): void {
    if (this.servedOffline === fromKeptCopy) return;
    this.servedOffline = fromKeptCopy;
    this.changed();
  }

  async status(): Promise<OutboxStatus> {
    const sources = this.sources;
    const { pending, dead } = await sources.counts();
    return {
      instance: sources.instance,
      pending,
      dead,
      inFlight: sources.requests(),
      online: sources.online(),
      draining: sources.draining(),
      paused: sources.paused(),
      lastError: this.lastError,
      servedOffline: this.servedOffline,
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

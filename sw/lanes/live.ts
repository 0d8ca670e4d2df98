import type { EntryStore } from '../log/entries';
import type { StoredEntry } from '../log/entry';
import type { InFlight } from '../send/in-flight';
import type { NetworkState } from '../send/network';
import { browserOffline } from '../send/network';
import type { ReplayGate } from './gate';
import type { Scheduler } from './scheduler';
import type { Dispatcher } from '../send/dispatch';
import { releaseWhenSettled } from '../send/release';

/**
 * What became of a write sent while its page waits: the server's final answer, with the log's
 * settling still under way (the fetch event must be kept alive for it); or queued (or held, or
 * waiting on a conflict) and the page gets `202`.
 */
export type LiveResult =
  | { kind: 'answered'; response: Response; settled: Promise<void> }
  | { kind: 'queued'; state: 'queued' | 'held' | 'conflict'; entry: StoredEntry };

export interface LiveParts {
  entries: EntryStore;
  gate: ReplayGate;
  network: NetworkState;
  inFlight: InFlight;
  dispatcher: Dispatcher;
  scheduler: Scheduler;
}

/**
 * Sends a write the page is waiting on, when it heads its lane and this worker may send, and
 * follows the route's conflict strategy to a final answer (a client-wins re-send goes at once).
 * The page hears the server unchanged when it answers definitively (docs/protocol.md, The log).
 */
export class LiveSender {
  constructor(private readonly parts: LiveParts) {}

  /** Whether the write may go now, its lane then claimed; false leaves it to replay. */
  claim(entry: StoredEntry): boolean {
    const { gate, inFlight } = this.parts;
    return gate.open && inFlight.tryClaim(entry.resource);
  }

  /**
   * Sends a write whose lane `claim` gave. The lane is released, and replay kicked for what waits
   * behind it, once the log is settled: at once for a queued write, after `settled` for an answer.
   */
  async send(entry: StoredEntry, liveHeaders: [string, string][]): Promise<LiveResult> {
    return releaseWhenSettled(
      () => this.sendUntilFinal(entry, liveHeaders),
      () => this.done(entry.resource),
      (result, release) => (result.kind === 'answered' ? { ...result, settled: result.settled.finally(release) } : null),
    );
  }

  private async sendUntilFinal(entry: StoredEntry, liveHeaders: [string, string][]): Promise<LiveResult> {
    const { entries, network, dispatcher } = this.parts;
    if (browserOffline()) {
      network.wentDown();
      return { kind: 'queued', state: 'queued', entry };
    }
    for (let current = entry; ; ) {
      const step = await dispatcher.send(current, liveHeaders);
      if (step.kind === 'answered') return { kind: 'answered', response: step.response, settled: step.settling.then(() => undefined) };
      if (step.kind === 'wait') return { kind: 'queued', state: step.state, entry: step.entry };
      // A client-wins or merged re-send: the same write, now based on the server's version.
      const again = await entries.laneHead(step.lane);
      if (!again || again.id !== current.id) return { kind: 'queued', state: 'queued', entry: current };
      current = again;
    }
  }

  private done(lane: string): void {
    this.parts.inFlight.release(lane);
    void this.parts.scheduler.kick();
  }
}

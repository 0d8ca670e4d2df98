import { eventChannelName, type NewEvent, type OutboxEvent, type OutboxStatus } from '../../protocol';
import type { StoredEntry } from '../log/entry';
import { historyLimit, type HistoryStore } from '../log/history';
import { rejectedEvents } from './kinds';

/** How long events wait to be written to the history together. */
const flushDelayMs = 100;

/**
 * Tells every open tab what happened, at once over a BroadcastChannel, and keeps a bounded
 * history in IndexedDB so a tab that (re)connects can read what it missed. A broadcast, not a
 * Comlink call: it reaches every tab, even one whose port to this worker is still being re-made.
 */
export class EventHub {
  private readonly channel = new BroadcastChannel(eventChannelName);
  private buffer: OutboxEvent[] = [];
  private flushing: Promise<void> | null = null;

  private constructor(private readonly history: HistoryStore, private seq: number) {}

  static async create(history: HistoryStore): Promise<EventHub> {
    // Events of a stopped worker may never have reached the history, so its last stored place can
    // be behind what tabs saw. Starting from the clock (in microseconds) keeps places growing anyway.
    return new EventHub(history, Math.max(await history.lastSeq(), Date.now() * 1000));
  }

  /** Gives each event its place and time, broadcasts it, and queues it for the history. */
  emit(...events: NewEvent[]): void {
    for (const event of events) {
      const full = { ...event, seq: ++this.seq, at: Date.now() } as OutboxEvent;
      this.channel.postMessage(full);
      this.buffer.push(full);
    }
    // The history keeps the newest only: while a long drain outpaces its writes, older events
    // waiting for it would be deleted on arrival, so they are not held (nor written) at all.
    if (this.buffer.length > historyLimit) this.buffer.splice(0, this.buffer.length - historyLimit);
    this.scheduleFlush();
  }

  /**
   * Says, write by write, that writes will not reach the server for a reason that is not the
   * server's answer (`cascade`, `cleared`, `deleted`, `discarded`), so tabs roll back what each changed.
   */
  dropped(entries: StoredEntry[], reason: string): void {
    this.emit(...entries.flatMap((entry) => rejectedEvents(entry, reason, null, false)));
  }

  /** Status changes often and is always readable live, so it is broadcast but not kept. */
  broadcastStatus(status: OutboxStatus): void {
    this.channel.postMessage({ type: 'status', status, seq: this.seq, at: Date.now() } satisfies OutboxEvent);
  }

  /** Resolves once every event emitted so far is in the history. */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** Events after `afterSeq` from the history, once everything emitted so far is in it. */
  async after(afterSeq?: number): Promise<OutboxEvent[]> {
    await this.settled();
    return this.history.after(afterSeq);
  }

  private scheduleFlush(): void {
    if (this.buffer.length === 0) return;
    this.flushing ??= new Promise((resolve) => setTimeout(resolve, flushDelayMs)).then(() => this.flush());
  }

  private async flush(): Promise<void> {
    const batch = this.buffer;
    this.buffer = [];
    try {
      await this.history.record(batch);
    } finally {
      this.flushing = null;
      // Events emitted while this batch was being written go in the next one, not whenever the
      // next event happens to come (which may be never).
      this.scheduleFlush();
    }
  }
}

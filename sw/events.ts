import type { OutboxLog } from './log';
import { eventChannelName, type NewEvent, type OutboxEvent, type OutboxStatus } from './protocol';
import { jsonBodyOf, type StoredEntry } from './entry';
import { lostFields } from './conflict';

/** How long events wait to be written to the history together. */
const flushDelayMs = 100;

/**
 * Tells every open tab what happened, at once over a BroadcastChannel, and keeps a bounded
 * history in IndexedDB so a tab that (re)connects can read what it missed.
 */
export class EventHub {
  private readonly channel = new BroadcastChannel(eventChannelName);
  private buffer: OutboxEvent[] = [];
  private flushing: Promise<void> | null = null;

  private constructor(private readonly log: OutboxLog, private seq: number) {}

  static async create(log: OutboxLog): Promise<EventHub> {
    // Events of a stopped worker may never have reached the history, so its last stored place can
    // be behind what tabs saw. Starting from the clock (in microseconds) keeps places growing anyway.
    return new EventHub(log, Math.max(await log.lastEventSeq(), Date.now() * 1000));
  }

  emit(event: NewEvent): OutboxEvent {
    const full = { ...event, seq: ++this.seq, at: Date.now() } as OutboxEvent;
    this.channel.postMessage(full);
    this.buffer.push(full);
    this.scheduleFlush();
    return full;
  }

  /**
   * Says, write by write, that writes will not reach the server for a reason that is not the
   * server's answer (`cascade`, `cleared`, `deleted`), so tabs roll back what each one changed.
   */
  dropped(entries: StoredEntry[], reason: string): void {
    for (const entry of entries) {
      const lost = lostFields(jsonBodyOf(entry), null);
      for (const id of [entry.id, ...entry.coalesced]) {
        this.emit({ type: 'rejected', id, resource: entry.resource, status: null, body: null, reason, live: false, lostFields: lost });
      }
    }
  }

  /** Status changes often and is always readable live, so it is broadcast but not kept. */
  broadcastStatus(status: OutboxStatus): void {
    this.channel.postMessage({ type: 'status', status, seq: this.seq, at: Date.now() } satisfies OutboxEvent);
  }

  /** Resolves once every event emitted so far is in the history. */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private scheduleFlush(): void {
    this.flushing ??= new Promise((resolve) => setTimeout(resolve, flushDelayMs)).then(() => this.flush());
  }

  private async flush(): Promise<void> {
    const batch = this.buffer;
    this.buffer = [];
    try {
      await this.log.recordEvents(batch);
    } finally {
      this.flushing = null;
      // Events emitted while this batch was being written go in the next one, not whenever the
      // next event happens to come (which may be never).
      if (this.buffer.length > 0) this.scheduleFlush();
    }
  }
}

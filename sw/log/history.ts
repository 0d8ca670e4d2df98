import type { OutboxEvent } from '../../protocol';
import type { LogDatabase } from './database';

/** Events kept for tabs that (re)connect late. */
export const historyLimit = 500;

/** The bounded event history in IndexedDB, from which a tab that (re)connects reads what it missed. */
export class HistoryStore {
  constructor(private readonly database: LogDatabase) {}

  /** Writes a batch of events, dropping the oldest beyond the limit. */
  async record(events: OutboxEvent[]): Promise<void> {
    if (events.length === 0) return;
    const tx = (await this.database.db).transaction('events', 'readwrite');
    for (const event of events) await tx.store.put(event);
    // Keep the newest by count, not by key arithmetic: a restarted worker's places jump ahead.
    const beyond = await (await tx.store.openKeyCursor(null, 'prev'))?.advance(historyLimit);
    if (beyond) await tx.store.delete(IDBKeyRange.upperBound(beyond.key));
    await tx.done;
  }

  /** The place of the newest event kept, or 0. */
  async lastSeq(): Promise<number> {
    const cursor = await (await this.database.db).transaction('events').store.openKeyCursor(null, 'prev');
    return cursor?.key ?? 0;
  }

  /** Events after `afterSeq`, oldest first. */
  async after(afterSeq = 0): Promise<OutboxEvent[]> {
    return (await this.database.db).getAll('events', IDBKeyRange.lowerBound(afterSeq, true));
  }
}

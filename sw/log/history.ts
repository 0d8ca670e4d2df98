import type { OutboxEvent } from '../../protocol';
import type { LogDatabase } from './database';

/** Events kept for tabs that (re)connect late. */
export const historyLimit = 500;

/**
 * The bounded event history in IndexedDB, from which a tab that (re)connects reads what it missed.
 * Each write to it is one record, a run of events keyed by its last event's place and its count
 * (docs/architecture.md, The log): a drain's events cost a request per run, not per event.
 */
export class HistoryStore {
  constructor(private readonly database: LogDatabase) {}

  /** Writes a batch of events as one run, dropping the runs older than the newest `historyLimit` events. */
  async record(events: OutboxEvent[]): Promise<void> {
    if (events.length === 0) return;
    const tx = (await this.database.db).transaction('events', 'readwrite');
    const requests: Promise<unknown>[] = [tx.store.put({ seq: events.at(-1)!.seq, count: events.length, events })];
    // Keep the newest by count, not by key arithmetic: a restarted worker's places jump ahead. The
    // keys carry the counts, so no run is read to decide.
    const keys = await tx.store.getAllKeys();
    let newer = 0;
    for (let index = keys.length - 1; index >= 0; index--) {
      newer += keys[index]![1];
      if (newer >= historyLimit) {
        if (index > 0) requests.push(tx.store.delete(IDBKeyRange.upperBound(keys[index - 1]!)));
        break;
      }
    }
    await Promise.all([...requests, tx.done]);
  }

  /** The place of the newest event kept, or 0. */
  async lastSeq(): Promise<number> {
    const cursor = await (await this.database.db).transaction('events').store.openKeyCursor(null, 'prev');
    return cursor?.key[0] ?? 0;
  }

  /** The newest `historyLimit` events after `afterSeq`, oldest first. */
  async after(afterSeq = 0): Promise<OutboxEvent[]> {
    const runs = await (await this.database.db).getAll('events', IDBKeyRange.lowerBound([afterSeq, Number.POSITIVE_INFINITY], true));
    return runs.flatMap((run) => run.events.filter((event) => event.seq > afterSeq)).slice(-historyLimit);
  }
}

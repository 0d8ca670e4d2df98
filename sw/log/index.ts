import { LogDatabase, type DatabaseHooks } from './database';
import { EntryStore, type SendingCheck } from './entries';
import { GroupCommit } from './group-commit';
import { HistoryStore } from './history';
import { LearnedStore } from './learned';
import { MetaStore } from './meta';
import { KeptReads } from './kept-reads';

/** The log's stores over one database: the writes, what was learned, the event history, meta. */
export interface OutboxLog {
  database: LogDatabase;
  entries: EntryStore;
  learned: LearnedStore;
  history: HistoryStore;
  meta: MetaStore;
  kept: KeptReads;
}

/**
 * Opens (creating or upgrading) the write-ahead log in IndexedDB. `isSending` tells it which
 * writes are on the wire, so nothing is ever merged into one of them; `maxKeptBytes` caps the
 * reads kept for offline use.
 */
export async function openLog(
  name: string | undefined,
  hooks: DatabaseHooks,
  isSending: SendingCheck,
  maxKeptBytes = Number.POSITIVE_INFINITY,
): Promise<OutboxLog> {
  const database = await LogDatabase.open(name, hooks);
  const kept = new KeptReads(database, maxKeptBytes);
  return {
    database,
    entries: new EntryStore(database, new GroupCommit(database), isSending, kept),
    learned: new LearnedStore(database),
    history: new HistoryStore(database),
    meta: new MetaStore(database),
    kept,
  };
}

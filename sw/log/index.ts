import { LogDatabase, type DatabaseHooks } from './database';
import { EntryStore, type SendingCheck } from './entries';
import { GroupCommit } from './group-commit';
import { HistoryStore } from './history';
import { LearnedStore } from './learned';
import { MetaStore } from './meta';

/** The log's stores over one database: the writes, what was learned, the event history, meta. */
export interface OutboxLog {
  database: LogDatabase;
  entries: EntryStore;
  learned: LearnedStore;
  history: HistoryStore;
  meta: MetaStore;
}

/**
 * Opens (creating or upgrading) the write-ahead log in IndexedDB. `isSending` tells it which
 * writes are on the wire, so nothing is ever merged into one of them.
 */
export async function openLog(name: string | undefined, hooks: DatabaseHooks, isSending: SendingCheck): Promise<OutboxLog> {
  const database = await LogDatabase.open(name, hooks);
  return {
    database,
    entries: new EntryStore(database, new GroupCommit(database), isSending),
    learned: new LearnedStore(database),
    history: new HistoryStore(database),
    meta: new MetaStore(database),
  };
}

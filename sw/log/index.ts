import { LogDatabase, type DatabaseHooks } from './database';
import { EntryStore, type SendingCheck } from './entries';
import { GroupCommit } from './group-commit';
import { HistoryStore } from './history';
import { LearnedStore } from './learned';
import { MetaStore } from './meta';
import { KeptReads } from './kept-reads';
import { LaneIndex } from './lane-index';
import { LaneLookahead } from './lane-lookahead';
import { KnownVersions } from './known-versions';

/** The log's stores over one database: the writes, what was learned, the event history, meta. */
export interface OutboxLog {
  database: LogDatabase;
  entries: EntryStore;
  learned: LearnedStore;
  history: HistoryStore;
  meta: MetaStore;
  kept: KeptReads;
  /** Which lanes may hold writes, in memory (docs/architecture.md, The in-memory index). */
  lanes: LaneIndex;
  /** The versions store, mirrored in memory. */
  versions: KnownVersions;
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
  const versions = new KnownVersions();
  const lookahead = new LaneLookahead();
  const emptied = (): void => {
    versions.clear();
    lookahead.changed();
  };
  const database = await LogDatabase.open(name, { ...hooks, onEmptied: emptied });
  const kept = new KeptReads(database, maxKeptBytes);
  const lanes = new LaneIndex();
  const log: OutboxLog = {
    database,
    entries: new EntryStore(database, new GroupCommit(database), isSending, kept, lanes, versions, lookahead),
    learned: new LearnedStore(database, versions),
    history: new HistoryStore(database),
    meta: new MetaStore(database),
    kept,
    lanes,
    versions,
  };
  // An index that cannot load stays unloaded: every write then reads the log, as before it.
  await loadMemoryIndex(log).catch(() => undefined);
  return log;
}

/**
 * Loads the in-memory index from the log: at open, and again when this worker becomes the sender
 * (an older worker may have appended meanwhile). Loads only add what the log holds, so one racing
 * with commits leaves the index cautious, never wrong.
 */
export async function loadMemoryIndex({ database, lanes, versions }: OutboxLog): Promise<void> {
  await Promise.all([lanes.load(database), versions.load(database)]);
}

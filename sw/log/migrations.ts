import type { IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';

/**
 * The log's schema, version by version. Each step upgrades a database left by the version before
 * it, entries and all, inside the upgrade transaction: a worker update never loses the queue.
 */
// The schema types live in database.ts; upgrades work on the raw shapes older workers wrote.
type AnyDb = IDBPDatabase<unknown>;
type AnyTx = IDBPTransaction<unknown, StoreNames<unknown>[], 'versionchange'>;
type Step = (db: AnyDb, tx: AnyTx) => Promise<void>;

/** Rewrites every entry of the log in place. */
async function updateEntries(tx: AnyTx, change: (entry: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
  for (let cursor = await tx.objectStore('entries').openCursor(); cursor; cursor = await cursor.continue()) {
    await cursor.update(change(cursor.value as Record<string, unknown>));
  }
}

/** `steps[n]` takes a version-n log to version n + 1. */
const steps: Step[] = [
  async (db) => {
    const entries = db.createObjectStore('entries', { keyPath: 'seq', autoIncrement: true });
    entries.createIndex('id', 'id', { unique: true });
    entries.createIndex('lane', 'lane');
    entries.createIndex('state', 'state');
    db.createObjectStore('versions', { keyPath: 'resource' });
    db.createObjectStore('idmap', { keyPath: 'tempId' });
    db.createObjectStore('events', { keyPath: 'seq', autoIncrement: true });
    db.createObjectStore('meta');
  },
  // Version 1 entries predate per-route settings and coalescing. They were taken under the old
  // defaults: server-wins, never merged with later writes.
  (_db, tx) =>
    updateEntries(tx, (entry) => ({
      coalesce: false,
      conflict: 'server-wins',
      coalesced: [],
      versioned: entry.requestedBase !== null && entry.requestedBase !== undefined,
      ...entry,
    })),
  // Partitions (one per signed-in user): older writes belong to the default one, ''.
  async (_db, tx) => {
    tx.objectStore('entries').createIndex('partitionLane', ['partition', 'lane']);
    await updateEntries(tx, (entry) => ({ partition: '', ...entry }));
  },
  // Reads on routes kept for offline use, per partition, evicted least recently used first.
  async (db) => {
    const reads = db.createObjectStore('reads', { keyPath: 'id' });
    reads.createIndex('usedAt', 'usedAt');
    reads.createIndex('partitionUrl', ['partition', 'url']);
  },
  // The event history, one record per write to it (a run of events) instead of one per event: a
  // long drain writes its history in a few requests. The events kept so far become one run.
  async (db, tx) => {
    const kept = (await tx.objectStore('events').getAll()) as { seq: number }[];
    db.deleteObjectStore('events');
    const runs = db.createObjectStore('events', { keyPath: ['seq', 'count'] });
    if (kept.length > 0) await runs.put({ seq: kept.at(-1)!.seq, count: kept.length, events: kept });
  },
];

export const logVersion = steps.length;

/** Runs the steps from the version a database is at to `newVersion`. */
export async function upgradeLog(db: AnyDb, oldVersion: number, newVersion: number, tx: AnyTx): Promise<void> {
  for (let version = oldVersion; version < newVersion; version++) await steps[version]!(db, tx);
}

import type { IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';

/**
 * The log's schema, version by version. Each step upgrades a database left by the version before
 * it, entries and all, inside the upgrade transaction: a worker update never loses the queue.
 */
// The schema types live in log.ts; upgrades work on the raw shapes an older worker wrote.
type AnyDb = IDBPDatabase<unknown>;
type AnyTx = IDBPTransaction<unknown, StoreNames<unknown>[], 'versionchange'>;

export const logVersion = 2;

export async function upgradeLog(db: AnyDb, oldVersion: number, tx: AnyTx): Promise<void> {
  if (oldVersion < 1) {
    const entries = db.createObjectStore('entries', { keyPath: 'seq', autoIncrement: true });
    entries.createIndex('id', 'id', { unique: true });
    entries.createIndex('lane', 'lane');
    entries.createIndex('state', 'state');
    db.createObjectStore('versions', { keyPath: 'resource' });
    db.createObjectStore('idmap', { keyPath: 'tempId' });
    db.createObjectStore('events', { keyPath: 'seq', autoIncrement: true });
    db.createObjectStore('meta');
  }
  if (oldVersion >= 1 && oldVersion < 2) {
    // Version 1 entries predate per-route settings and coalescing. They were taken under the old
    // defaults: server-wins, never merged with later writes.
    let cursor = await tx.objectStore('entries').openCursor();
    while (cursor) {
      const entry = cursor.value as Record<string, unknown>;
      await cursor.update({
        coalesce: false,
        conflict: 'server-wins',
        coalesced: [],
        versioned: entry.requestedBase !== null && entry.requestedBase !== undefined,
        ...entry,
      });
      cursor = await cursor.continue();
    }
  }
}

import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction } from 'idb';
import type { OutboxEvent } from '../../protocol';
import type { StoredEntry } from './entry';
import type { KnownVersion } from './learning';
import type { IdMapping } from './remap';
import type { KeptRead } from './kept-read';
import { logVersion, upgradeLog } from './migrations';

/** Events written to the history together, keyed by the place of the last and their count. */
export interface EventRun {
  seq: number;
  count: number;
  events: OutboxEvent[];
}

/** The log's schema, typed once (its history is in migrations.ts). */
export interface OutboxSchema extends DBSchema {
  entries: { key: number; value: StoredEntry; indexes: { id: string; lane: string; state: string; partitionLane: [string, string] } };
  versions: { key: string; value: KnownVersion };
  idmap: { key: string; value: IdMapping };
  events: { key: [number, number]; value: EventRun };
  meta: { key: string; value: unknown };
  reads: { key: string; value: KeptRead; indexes: { usedAt: number; partitionUrl: [string, string] } };
}

export type Db = IDBPDatabase<OutboxSchema>;
/** The stores of a group commit: a write, a confirmation, and what each teaches (versions, ids, kept reads), together. */
export const commitStores = ['entries', 'versions', 'idmap', 'reads', 'meta'] as const;
export type EntriesTx = IDBPTransaction<OutboxSchema, (typeof commitStores)[number][], 'readwrite'>;

/** What the database's owner is told of things that happen to it from outside. */
export interface DatabaseHooks {
  /** Another connection at an older version (an old tab that ignores `versionchange`) holds up the upgrade. */
  onBlocked?: () => void;
  /**
   * Another party (a page, devtools) deleted the database: these writes were in it and are gone.
   * The log itself starts again, empty, at its next use.
   */
  onDeleted?: (lost: StoredEntry[]) => void;
  /** The database was deleted, whatever it held: what is mirrored in memory from it goes too. */
  onEmptied?: () => void;
}

/**
 * The connection to the log's IndexedDB database and its lifecycle: opened (created or upgraded)
 * on first use, let go when another connection needs the database, opened again when used next.
 */
export class LogDatabase {
  /** The open connection; null once it is closed, until the next use opens the log again. */
  private connection: Db | null = null;
  private reopening: Promise<Db> | null = null;

  private constructor(private readonly name: string, private readonly hooks: DatabaseHooks) {}

  /** Opens the database named `name`; resolves once it is open at the current schema. */
  static async open(name = 'sw-outbox', hooks: DatabaseHooks = {}): Promise<LogDatabase> {
    const database = new LogDatabase(name, hooks);
    await database.db;
    return database;
  }

  /** The open connection, opening the database again if it was let go. */
  get db(): Promise<Db> {
    if (this.connection) return Promise.resolve(this.connection);
    this.reopening ??= this.connect().finally(() => (this.reopening = null));
    return this.reopening;
  }

  close(): void {
    this.connection?.close();
    this.connection = null;
  }

  private async connect(): Promise<Db> {
    const db = await openDB<OutboxSchema>(this.name, logVersion, {
      upgrade: (database, oldVersion, newVersion, transaction) =>
        void upgradeLog(database as unknown as IDBPDatabase<unknown>, oldVersion, newVersion ?? logVersion, transaction as never),
      blocked: () => this.hooks.onBlocked?.(),
      blocking: (_current, next) => void this.stepAside(db, next === null),
      // Closed by the browser (site data cleared): the next use opens the log again.
      terminated: () => this.dropConnection(db),
    });
    this.connection = db;
    return db;
  }

  /**
   * Another connection wants the database: a newer worker upgrading the log (it takes over
   * sending, see pages/lifecycle.ts), or someone deleting it. Either way this connection must
   * close, or they wait forever. A deletion is reported first, while the writes can still be read.
   */
  private async stepAside(db: Db, deleted: boolean): Promise<void> {
    this.dropConnection(db);
    const lost = deleted ? await db.getAll('entries').catch(() => []) : [];
    db.close();
    if (deleted) this.hooks.onEmptied?.();
    if (lost.length > 0) this.hooks.onDeleted?.(lost);
  }

  private dropConnection(db: Db): void {
    if (this.connection === db) this.connection = null;
  }
}

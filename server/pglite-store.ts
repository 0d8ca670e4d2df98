import { keysSchema, sqlStore, tableName } from './sql-store';
import type { BracketEnd, SqlDriver, SqlStoreSettings } from './sql-store';
import type { IdempotencyStore } from './store';

// PGlite's own types are not imported: they need the DOM library and Emscripten's types to compile,
// which a Node server has no reason to carry. These are what the store uses of them; PGlite's
// `PGlite` and `Transaction` fit them, and a store made with `{ db }` hands out PGlite's `Transaction`.

/** What the store uses of a PGlite transaction (PGlite's `Transaction` is one). */
export interface PgliteTransaction {
  query<Row>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
}

/** What the store uses of a PGlite database (PGlite's `PGlite` is one, with its `Transaction`). */
export interface PgliteDatabase<Tx extends PgliteTransaction = PgliteTransaction> {
  query<Row>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
  exec(sql: string): Promise<unknown>;
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface PgliteStoreOptions<Tx extends PgliteTransaction = PgliteTransaction> extends SqlStoreSettings {
  /** The app's own PGlite, so its writes and the keys can share a transaction. */
  db?: PgliteDatabase<Tx>;
  /** Where to open one when `db` is not given; default `.data/sw-outbox`. */
  dataDir?: string;
}

/**
 * Keys in PGlite (embedded Postgres): nothing to set up, kept across restarts. One process opens a
 * PGlite folder at a time, so a key left running by an earlier boot is taken up at once. Its
 * transactions are the database's own (PGlite's `Transaction` for a `PGlite`).
 */
export async function pgliteStore<Tx extends PgliteTransaction = PgliteTransaction>(options: PgliteStoreOptions<Tx> = {}): Promise<IdempotencyStore<Tx>> {
  const table = tableName(options);
  const owned = options.db === undefined;
  const db: PgliteDatabase<Tx> = options.db ?? ((await openPglite(options.dataDir ?? '.data/sw-outbox')) as unknown as PgliteDatabase<Tx>);
  await db.exec(keysSchema(table));
  const queryIn = async <Row>(tx: Tx, sql: string, params: unknown[]): Promise<Row[]> => (await tx.query<Row>(sql, params)).rows;
  const transaction = <T>(work: (tx: Tx) => Promise<T>): Promise<T> => db.transaction(work);
  return sqlStore<Tx>(
    {
      query: async (sql, params) => (await db.query<never>(sql, params)).rows,
      queryIn,
      transaction,
      bracketed: (closing, work) => bracketInTransaction({ queryIn, transaction }, closing, work),
      close: async () => {
        if (owned) await db.close();
      },
    },
    { kind: 'boot' },
    options,
  );
}

/** Opens a PGlite of its own in `dataDir` (PGlite is loaded only then, and only as a value). */
async function openPglite(dataDir: string): Promise<PgliteDatabase> {
  const { mkdirSync } = await import('node:fs');
  let module: typeof import('@electric-sql/pglite');
  try {
    module = await import('@electric-sql/pglite');
  } catch {
    throw new Error('sw-outbox/server: pgliteStore needs the @electric-sql/pglite package: npm install @electric-sql/pglite');
  }
  mkdirSync(dataDir, { recursive: true });
  return new module.PGlite(dataDir) as unknown as PgliteDatabase;
}

// Ends a transaction of `bracketInTransaction` without committing it.
class RollBack<T> {
  constructor(readonly value: T) {}
}

// `bracketed` on PGlite, which runs in the process (a round trip costs no network): the closing is
// a statement of the transaction like any other.
async function bracketInTransaction<Tx, T>(driver: Pick<SqlDriver<Tx>, 'queryIn' | 'transaction'>, closing: string, work: (tx: Tx) => Promise<BracketEnd<T>>): Promise<T> {
  try {
    return await driver.transaction(async (tx) => {
      const end = await work(tx);
      if (end.closing === undefined) throw new RollBack(end.value);
      await driver.queryIn(tx, closing, end.closing);
      return end.value;
    });
  } catch (error) {
    if (error instanceof RollBack) return error.value as T;
    throw error;
  }
}

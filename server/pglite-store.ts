import type { PGlite, Transaction } from '@electric-sql/pglite';
import { keysSchema, sqlStore, tableName } from './sql-store';
import type { SqlStoreSettings } from './sql-store';
import type { IdempotencyStore } from './store';

export interface PgliteStoreOptions extends SqlStoreSettings {
  /** The app's own PGlite, so its writes and the keys can share a transaction. */
  db?: PGlite;
  /** Where to open one when `db` is not given; default `.data/sw-outbox`. */
  dataDir?: string;
}

/**
 * Keys in PGlite (embedded Postgres): nothing to set up, kept across restarts. One process opens a
 * PGlite folder at a time, so a key left running by an earlier boot is taken up at once.
 */
export async function pgliteStore(options: PgliteStoreOptions = {}): Promise<IdempotencyStore<Transaction>> {
  const table = tableName(options);
  const owned = options.db === undefined;
  const db = options.db ?? (await openPglite(options.dataDir ?? '.data/sw-outbox'));
  await db.exec(keysSchema(table));
  return sqlStore<Transaction>(
    {
      query: async (sql, params) => (await db.query<never>(sql, params)).rows,
      queryIn: async (tx, sql, params) => (await tx.query<never>(sql, params)).rows,
      transaction: (work) => db.transaction(work),
      close: async () => {
        if (owned) await db.close();
      },
    },
    { kind: 'boot' },
    options,
  );
}

async function openPglite(dataDir: string): Promise<PGlite> {
  const { mkdirSync } = await import('node:fs');
  let module: typeof import('@electric-sql/pglite');
  try {
    module = await import('@electric-sql/pglite');
  } catch {
    throw new Error('sw-outbox/server: pgliteStore needs the @electric-sql/pglite package: npm install @electric-sql/pglite');
  }
  mkdirSync(dataDir, { recursive: true });
  return new module.PGlite(dataDir);
}

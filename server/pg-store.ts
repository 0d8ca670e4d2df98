import { createHash } from 'node:crypto';
import type { Pool, PoolClient, QueryConfig } from 'pg';
import { pgBracketed } from './pg-bracket';
import { inTransaction } from './pg-client';
import { keysSchema, sqlStore, tableName } from './sql-store';
import type { SqlStoreSettings } from './sql-store';
import type { IdempotencyStore } from './store';

export interface PgStoreOptions extends SqlStoreSettings {
  /** The app's own pool, so its writes and the keys can share a transaction. */
  pool: Pool;
  /**
   * How long a running request's claim lasts without renewal; the holder renews it every third of
   * that, so only a dead (or frozen) process lets it lapse. Default 10 s.
   */
  leaseMs?: number;
}

/**
 * Keys in Postgres through `pg`, for servers that run as several processes or machines. The app's
 * transaction (`context.transaction`) is a `PoolClient` inside BEGIN … COMMIT. A `transactional`
 * write costs the round trips of the app's own transaction: the key's row and answer travel with
 * COMMIT (see docs/server.md).
 */
export async function pgStore(options: PgStoreOptions): Promise<IdempotencyStore<PoolClient>> {
  const { pool } = options;
  const table = tableName(options);
  const transaction = <T>(work: (client: PoolClient) => Promise<T>): Promise<T> =>
    inTransaction(pool, async (client) => {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    });
  // Processes starting together would race on CREATE … IF NOT EXISTS; a lock makes it one at a time.
  await transaction(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [table]);
    await client.query(keysSchema(table));
  });
  return sqlStore<PoolClient>(
    {
      query: async (sql, params) => (await pool.query(prepared(sql, params))).rows,
      queryIn: async (client, sql, params) => (await client.query(prepared(sql, params))).rows,
      transaction,
      bracketed: (closing, work) => pgBracketed(pool, closing, work),
      close: async () => undefined,
    },
    { kind: 'lease', leaseMs: options.leaseMs ?? 10_000 },
    options,
  );
}

const statementNames = new Map<string, string>();

/** A named (prepared) statement: Postgres parses and plans each of the store's few statements once per connection. */
function prepared(text: string, values: unknown[]): QueryConfig {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `sw_outbox_${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
    statementNames.set(text, name);
  }
  return { name, text, values };
}

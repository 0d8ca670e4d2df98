import { randomUUID } from 'node:crypto';
import { DAY_MS, HOUR_MS, scheduleCleanup } from './store';
import type { ClaimResult, IdempotencyStore, KeyClaim, KeyRequest, StoreTimes, StoredResponse } from './store';

/** The little a Postgres-speaking database must offer the SQL store. */
export interface SqlDriver<Tx> {
  query<Row>(sql: string, params: unknown[]): Promise<Row[]>;
  queryIn<Row>(tx: Tx, sql: string, params: unknown[]): Promise<Row[]>;
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** Closes what the store opened itself. */
  close(): Promise<void>;
}

/**
 * How a running key whose holder died is recognised. `boot`: the database serves one process at a
 * time (PGlite), so a key held by another boot of it is dead now. `lease`: several processes share
 * it (Postgres), so a holder renews a timed lease and a lapsed lease is dead.
 */
export type Takeover = { kind: 'boot' } | { kind: 'lease'; leaseMs: number };

export interface SqlStoreSettings extends StoreTimes {
  /** The keys' table; default `outbox_idempotency_keys`. */
  table?: string;
}

interface KeyRow {
  fingerprint: string;
  status: number | null;
  headers: Array<[string, string]> | string | null;
  body: Uint8Array | null;
}

/** The table, created when missing. `status` is null while the request runs. */
export function keysSchema(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
  scope text NOT NULL,
  key text NOT NULL,
  fingerprint text NOT NULL,
  token text NOT NULL,
  boot text NOT NULL,
  lease_until timestamptz,
  expires_at timestamptz NOT NULL,
  status integer,
  headers jsonb,
  body bytea,
  PRIMARY KEY (scope, key)
);
CREATE INDEX IF NOT EXISTS ${table}_expires_at ON ${table} (expires_at);`;
}

/** Validates a table name before it goes into SQL text. */
export function tableName(settings: SqlStoreSettings): string {
  const table = settings.table ?? 'outbox_idempotency_keys';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(table)) throw new TypeError(`table must be a lower-case SQL identifier, got ${JSON.stringify(table)}`);
  return table;
}

/**
 * Keys in a Postgres table. The claim is one `INSERT … ON CONFLICT DO UPDATE … WHERE` (the row is
 * locked while it is decided), so two deliveries of a key never both run, whatever the processes.
 * It is one function because its statements share the table, the boot and the takeover rule; each
 * method is a statement or two.
 */
export function sqlStore<Tx>(driver: SqlDriver<Tx>, takeover: Takeover, settings: SqlStoreSettings): IdempotencyStore<Tx> {
  const table = tableName(settings);
  const ttlMs = settings.ttlMs ?? DAY_MS;
  const boot = randomUUID();
  const leaseMs = takeover.kind === 'lease' ? takeover.leaseMs : null;
  const owner = 'scope = $1 AND key = $2 AND token = $3 AND status IS NULL';
  const ownerParams = (claim: KeyClaim): unknown[] => [claim.scope, claim.key, claim.token];
  const finishSql = (outcome: StoredResponse | undefined): [string, (claim: KeyClaim) => unknown[]] =>
    outcome === undefined
      ? [`DELETE FROM ${table} WHERE ${owner} RETURNING 1`, ownerParams]
      : [
          `UPDATE ${table} SET status = $4, headers = $5::jsonb, body = $6, lease_until = NULL WHERE ${owner} RETURNING 1`,
          (claim) => [...ownerParams(claim), outcome.status, JSON.stringify(outcome.headers), Buffer.from(outcome.body)],
        ];
  // A running key is dead when held by an earlier boot (PGlite) or past its lease (Postgres).
  const staleIn = (row: string): string => (takeover.kind === 'boot' ? `${row}.boot <> '${boot}'` : `${row}.lease_until <= now()`);
  const cleanup = async (): Promise<number> => {
    const rows = await driver.query<{ n: number }>(
      `WITH gone AS (DELETE FROM ${table} AS k WHERE k.expires_at <= now() AND (k.status IS NOT NULL OR ${staleIn('k')}) RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [],
    );
    return rows[0]?.n ?? 0;
  };
  const stopCleanup = scheduleCleanup(cleanup, settings.cleanupEveryMs ?? HOUR_MS);

  /** Runs a statement on its own, or inside a transaction. */
  type Run = <Row>(sql: string, params: unknown[]) => Promise<Row[]>;
  /**
   * One try at a claim. `lease` is the claim's lease (null: none, for a claim inside a transaction,
   * which nobody sees running: it commits with its answer or not at all).
   */
  const tryClaim = async (run: Run, request: KeyRequest, lease: number | null): Promise<ClaimResult | undefined> => {
    const token = randomUUID();
    const stale = staleIn('k');
    const claimed = await run<{ token: string }>(
      `INSERT INTO ${table} AS k (scope, key, fingerprint, token, boot, lease_until, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + $6 * interval '1 millisecond', now() + $7 * interval '1 millisecond')
       ON CONFLICT (scope, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, token = EXCLUDED.token, boot = EXCLUDED.boot,
         lease_until = EXCLUDED.lease_until, expires_at = EXCLUDED.expires_at, status = NULL, headers = NULL, body = NULL
       WHERE (k.expires_at <= now() AND (k.status IS NOT NULL OR ${stale}))
          OR (k.status IS NULL AND k.fingerprint = EXCLUDED.fingerprint AND ${stale})
       RETURNING token`,
      [request.scope, request.key, request.fingerprint, token, boot, lease, ttlMs],
    );
    if (claimed[0]?.token === token) return { kind: 'claimed', claim: { ...request, token } };
    const row = (await run<KeyRow>(`SELECT fingerprint, status, headers, body FROM ${table} WHERE scope = $1 AND key = $2`, [request.scope, request.key]))[0];
    // Gone between the two statements (cleaned up, or released by a failed holder): claim again.
    if (row === undefined) return undefined;
    if (row.fingerprint !== request.fingerprint) return { kind: 'mismatch' };
    if (row.status === null) return { kind: 'running', retryAfterSeconds: 1 };
    return { kind: 'replay', response: storedOf(row, row.status) };
  };
  const claimWith = async (run: Run, request: KeyRequest, lease: number | null): Promise<ClaimResult> => {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const result = await tryClaim(run, request, lease);
      if (result !== undefined) return result;
    }
    throw new Error(`sw-outbox/server: key ${JSON.stringify(request.key)} kept vanishing while being claimed`);
  };

  return {
    claim: (request) => claimWith((sql, params) => driver.query(sql, params), request, leaseMs),
    claimIn: (tx, request) => claimWith((sql, params) => driver.queryIn(tx, sql, params), request, null),
    async finish(claim, outcome) {
      const [sql, params] = finishSql(outcome);
      return (await driver.query(sql, params(claim))).length > 0;
    },
    transaction: (work) => driver.transaction(work),
    async finishIn(tx, claim, outcome) {
      const [sql, params] = finishSql(outcome);
      return (await driver.queryIn(tx, sql, params(claim))).length > 0;
    },
    ...(leaseMs === null
      ? {}
      : {
          renewEveryMs: Math.max(1, Math.floor(leaseMs / 3)),
          async renew(claim: KeyClaim) {
            const sql = `UPDATE ${table} SET lease_until = now() + $4 * interval '1 millisecond' WHERE ${owner} RETURNING 1`;
            return (await driver.query(sql, [...ownerParams(claim), leaseMs])).length > 0;
          },
        }),
    cleanup,
    async close() {
      stopCleanup();
      await driver.close();
    },
  };
}

function storedOf(row: KeyRow, status: number): StoredResponse {
  const headers = typeof row.headers === 'string' ? (JSON.parse(row.headers) as Array<[string, string]>) : (row.headers ?? []);
  return { status, headers, body: new Uint8Array(row.body ?? new Uint8Array()) };
}

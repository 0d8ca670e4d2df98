import { randomUUID } from 'node:crypto';
import { DAY_MS, HOUR_MS, scheduleCleanup } from './store';
import type { ClaimResult, IdempotencyStore, KeyClaim, KeyRequest, KeyedResult, StoreTimes, StoredResponse } from './store';

/** One of the store's statements: SQL whose only `$` are its placeholders (`$1`…), and their values. */
export interface SqlStatement {
  sql: string;
  params: unknown[];
}

/** How the work of a bracketed transaction ends it: the closing statement's values then COMMIT, or (undefined) ROLLBACK. */
export interface BracketEnd<T> {
  value: T;
  closing: unknown[] | undefined;
}

/** The little a Postgres-speaking database must offer the SQL store. */
export interface SqlDriver<Tx> {
  query<Row>(sql: string, params: unknown[]): Promise<Row[]>;
  queryIn<Row>(tx: Tx, sql: string, params: unknown[]): Promise<Row[]>;
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * One transaction between two of the store's statements: `opening` first, then `work` (given the
   * opening's rows), then `closingSql` with the values `work` ends with and COMMIT, or ROLLBACK when
   * it ends with none. A driver that can send several statements in one query sends BEGIN with the
   * opening and the closing with COMMIT, so the key's statements cost the transaction no round trip
   * of its own; the closing's SQL is known from the start, so it can be prepared with the opening.
   */
  bracketed<Row, T>(opening: SqlStatement, closingSql: string, work: (tx: Tx, opened: Row[]) => Promise<BracketEnd<T>>): Promise<T>;
  /** Closes what the store opened itself. */
  close(): Promise<void>;
}

/** Ends a transaction of `bracketInTransaction` without committing it. */
class RollBack<T> {
  constructor(readonly value: T) {}
}

/**
 * `bracketed` for a driver that sends one statement at a time (PGlite, in the process: a round trip
 * there costs no network): the opening and closing are statements of the transaction like any other.
 */
export async function bracketInTransaction<Tx, Row, T>(
  driver: Pick<SqlDriver<Tx>, 'queryIn' | 'transaction'>,
  opening: SqlStatement,
  closingSql: string,
  work: (tx: Tx, opened: Row[]) => Promise<BracketEnd<T>>,
): Promise<T> {
  try {
    return await driver.transaction(async (tx) => {
      const { value, closing } = await work(tx, await driver.queryIn<Row>(tx, opening.sql, opening.params));
      if (closing === undefined) throw new RollBack(value);
      await driver.queryIn(tx, closingSql, closing);
      return value;
    });
  } catch (error) {
    if (error instanceof RollBack) return error.value as T;
    throw error;
  }
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
  const recordSql = `UPDATE ${table} SET status = $4, headers = $5::jsonb, body = $6, lease_until = NULL WHERE ${owner} RETURNING 1`;
  const recordParams = (claim: KeyClaim, outcome: StoredResponse): unknown[] => [...ownerParams(claim), outcome.status, JSON.stringify(outcome.headers), Buffer.from(outcome.body)];
  const finishStatement = (claim: KeyClaim, outcome: StoredResponse | undefined): SqlStatement =>
    outcome === undefined
      ? { sql: `DELETE FROM ${table} WHERE ${owner} RETURNING 1`, params: ownerParams(claim) }
      : { sql: recordSql, params: recordParams(claim, outcome) };
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

  const claimSql = `INSERT INTO ${table} AS k (scope, key, fingerprint, token, boot, lease_until, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + $6 * interval '1 millisecond', now() + $7 * interval '1 millisecond')
       ON CONFLICT (scope, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, token = EXCLUDED.token, boot = EXCLUDED.boot,
         lease_until = EXCLUDED.lease_until, expires_at = EXCLUDED.expires_at, status = NULL, headers = NULL, body = NULL
       WHERE (k.expires_at <= now() AND (k.status IS NOT NULL OR ${staleIn('k')}))
          OR (k.status IS NULL AND k.fingerprint = EXCLUDED.fingerprint AND ${staleIn('k')})
       RETURNING token`;
  /**
   * The claim: it returns the new token when the key was free (or its row expired, or its holder
   * is dead). `lease` is the claim's lease (null: none, for a claim inside a transaction, which
   * nobody sees running: it commits with its answer or not at all).
   */
  const claimStatement = (request: KeyRequest, token: string, lease: number | null): SqlStatement => ({
    sql: claimSql,
    params: [request.scope, request.key, request.fingerprint, token, boot, lease, ttlMs],
  });

  /** Runs a statement on its own, or inside a transaction. */
  type Run = <Row>(statement: SqlStatement) => Promise<Row[]>;
  /** What a claim that took no row gets: the key's row decides (undefined: it is gone, claim again). */
  const existing = async (run: Run, request: KeyRequest): Promise<ClaimResult | undefined> => {
    const row = (await run<KeyRow>({ sql: `SELECT fingerprint, status, headers, body FROM ${table} WHERE scope = $1 AND key = $2`, params: [request.scope, request.key] }))[0];
    // Gone between the two statements (cleaned up, or released by a failed holder): claim again.
    if (row === undefined) return undefined;
    if (row.fingerprint !== request.fingerprint) return { kind: 'mismatch' };
    if (row.status === null) return { kind: 'running', retryAfterSeconds: 1 };
    return { kind: 'replay', response: storedOf(row, row.status) };
  };
  /** One try at a claim. */
  const tryClaim = async (run: Run, request: KeyRequest, lease: number | null): Promise<ClaimResult | undefined> => {
    const token = randomUUID();
    const claimed = await run<{ token: string }>(claimStatement(request, token, lease));
    return claimed[0]?.token === token ? { kind: 'claimed', claim: { ...request, token } } : existing(run, request);
  };
  const claimWith = async (run: Run, request: KeyRequest, lease: number | null): Promise<ClaimResult> => {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const result = await tryClaim(run, request, lease);
      if (result !== undefined) return result;
    }
    throw new Error(`sw-outbox/server: key ${JSON.stringify(request.key)} kept vanishing while being claimed`);
  };
  const runAlone: Run = (statement) => driver.query(statement.sql, statement.params);
  const runIn =
    (tx: Tx): Run =>
    (statement) =>
      driver.queryIn(tx, statement.sql, statement.params);

  /**
   * The transaction opens with the claim and closes with the answer's record, so the driver can send
   * them with its BEGIN and COMMIT. A claim that took no row is settled in the transaction: a row
   * committed meanwhile is seen by the next statement, a vanished one is claimed again.
   */
  const keyedTransaction = <T>(request: KeyRequest, work: (tx: Tx) => Promise<{ record: StoredResponse | undefined; value: T }>): Promise<KeyedResult<T>> => {
    const token = randomUUID();
    return driver.bracketed<{ token: string }, KeyedResult<T>>(claimStatement(request, token, null), recordSql, async (tx, opened) => {
      const claimed: ClaimResult =
        opened[0]?.token === token ? { kind: 'claimed', claim: { ...request, token } } : ((await existing(runIn(tx), request)) ?? (await claimWith(runIn(tx), request, null)));
      if (claimed.kind !== 'claimed') return { value: claimed, closing: undefined };
      const { record, value } = await work(tx);
      // The claim's row is this transaction's (inserted or locked by it), so the record always finds it.
      return { value: { kind: 'ran', value }, closing: record === undefined ? undefined : recordParams(claimed.claim, record) };
    });
  };

  return {
    claim: (request) => claimWith(runAlone, request, leaseMs),
    keyedTransaction,
    finish: async (claim, outcome) => (await runAlone(finishStatement(claim, outcome))).length > 0,
    transaction: (work) => driver.transaction(work),
    finishIn: async (tx, claim, outcome) => (await runIn(tx)(finishStatement(claim, outcome))).length > 0,
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

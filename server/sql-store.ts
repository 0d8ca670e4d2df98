import { randomUUID } from 'node:crypto';
import { DAY_MS, HOUR_MS, scheduleCleanup } from './store';
import type { ClaimResult, IdempotencyStore, KeyClaim, KeyRequest, KeyedResult, StoreTimes, StoredResponse } from './store';

/** One of the store's statements: SQL whose only `$` are its placeholders (`$1`…), and their values. */
export interface SqlStatement {
  sql: string;
  params: unknown[];
}

/** How the work of a bracketed transaction ends it: its closing statement then COMMIT, or (undefined) ROLLBACK. */
export interface BracketEnd<T> {
  value: T;
  closing: SqlStatement | undefined;
}

/** The little a Postgres-speaking database must offer the SQL store. */
export interface SqlDriver<Tx> {
  query<Row>(sql: string, params: unknown[]): Promise<Row[]>;
  queryIn<Row>(tx: Tx, sql: string, params: unknown[]): Promise<Row[]>;
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * One transaction between the store's statements: the `opening` ones first, in order, then `work`
   * (given the rows of the last), then the statement `work` ends with and COMMIT, or ROLLBACK when
   * it ends with none. A driver that can send several statements in one query sends BEGIN with the
   * opening and the closing with COMMIT, so the key's statements cost the transaction no round trip
   * of its own. `closings` are the SQL texts the closing is one of, known from the start so that
   * they can be prepared with the opening.
   */
  bracketed<Row, T>(opening: SqlStatement[], closings: readonly string[], work: (tx: Tx, opened: Row[]) => Promise<BracketEnd<T>>): Promise<T>;
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
  /** Whether a claim may take the row over (see `takeable`); only the transactional path's read asks. */
  takeable?: boolean;
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

  // Whether an existing row `k` of the key may be taken by a new claim with `fingerprint`: it expired
  // (finished, or its holder is dead), or it is the same request's and its holder is dead.
  const takeable = (fingerprint: string): string =>
    `(k.expires_at <= now() AND (k.status IS NOT NULL OR ${staleIn('k')})) OR (k.status IS NULL AND k.fingerprint = ${fingerprint} AND ${staleIn('k')})`;
  const claimSql = `INSERT INTO ${table} AS k (scope, key, fingerprint, token, boot, lease_until, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + $6 * interval '1 millisecond', now() + $7 * interval '1 millisecond')
       ON CONFLICT (scope, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, token = EXCLUDED.token, boot = EXCLUDED.boot,
         lease_until = EXCLUDED.lease_until, expires_at = EXCLUDED.expires_at, status = NULL, headers = NULL, body = NULL
       WHERE ${takeable('EXCLUDED.fingerprint')}
       RETURNING token`;
  // The claim: it returns the new token when the key was free (or its row expired, or its holder
  // is dead). `lease` is the claim's lease (null: none, for a claim inside a transaction, which
  // nobody sees running: it commits with its answer or not at all).
  const claimStatement = (request: KeyRequest, token: string, lease: number | null): SqlStatement => ({
    sql: claimSql,
    params: [request.scope, request.key, request.fingerprint, token, boot, lease, ttlMs],
  });

  // Runs a statement on its own, or inside a transaction.
  type Run = <Row>(statement: SqlStatement) => Promise<Row[]>;
  // What a delivery gets from the key's row when it cannot claim it.
  const verdictOf = (row: KeyRow, request: KeyRequest): Exclude<ClaimResult, { kind: 'claimed' }> => {
    if (row.fingerprint !== request.fingerprint) return { kind: 'mismatch' };
    if (row.status === null) return { kind: 'running', retryAfterSeconds: 1 };
    return { kind: 'replay', response: storedOf(row, row.status) };
  };
  // What a claim that took no row gets: the key's row decides (undefined: it is gone, claim again).
  const existing = async (run: Run, request: KeyRequest): Promise<Exclude<ClaimResult, { kind: 'claimed' }> | undefined> => {
    const row = (await run<KeyRow>({ sql: `SELECT fingerprint, status, headers, body FROM ${table} WHERE scope = $1 AND key = $2`, params: [request.scope, request.key] }))[0];
    // Gone between the two statements (cleaned up, or released by a failed holder): claim again.
    return row === undefined ? undefined : verdictOf(row, request);
  };
  // One try at a claim.
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

  // The transactional path (keyedTransaction). Its transaction holds a lock on the key (an advisory
  // lock named by a hash of scope and key) from its first statement to its end, so a duplicate
  // delivery waits there, then reads what the first left: a free key is written once, at the end,
  // with its answer (one row written per write, no update of it).
  const lock = 'advisory_xact_lock(hashtextextended($2, hashtext($1)))';
  const lockSql = `SELECT FROM pg_${lock}`;
  // A statement of its own after the lock, so that it reads what a holder it waited for committed.
  const findSql = `SELECT fingerprint, status, headers, body, (${takeable('$3')}) AS takeable FROM ${table} AS k WHERE scope = $1 AND key = $2`;
  // The first try, in one statement: the lock when nobody holds it (without waiting), and the key's
  // row. When another transaction holds the lock, it is waited for, then the row read again, as
  // above. A holder that committed in the instant between this statement's snapshot and its lock
  // is not seen: the insert at the end then finds its row (a unique violation), as below.
  const tryFindSql = `SELECT pg_try_${lock} AS locked, k.fingerprint, k.status, k.headers, k.body, (${takeable('$3')}) AS takeable
       FROM (VALUES (1)) AS one LEFT JOIN ${table} AS k ON k.scope = $1 AND k.key = $2`;
  // A row written with its answer has no holder to fence or to find dead (token and boot are only
  // read while `status` is null), so it carries neither: a smaller row, less WAL per write.
  const insertSql = `INSERT INTO ${table} (scope, key, fingerprint, token, boot, expires_at, status, headers, body)
       VALUES ($1, $2, $3, '', '', now() + $4 * interval '1 millisecond', $5, $6::jsonb, $7)`;
  const closings = [insertSql, recordSql];
  // A key row another claim inserted while this transaction ran (a leased claim takes no lock, and a
  // holder may commit just before the first try's lock): that delivery has the key.
  const lostToAnother = (error: unknown): boolean => {
    const { code, constraint } = error as { code?: string; constraint?: string };
    return code === '23505' && constraint === `${table}_pkey`;
  };

  // Locks the key, reads its row, runs `work` when the key is free, and records the answer as the
  // transaction's last statement: the driver sends the first try with BEGIN, the record with
  // COMMIT. A row that may be taken over (expired, or its holder dead) is claimed in the
  // transaction, the lease way, and its record is an update.
  const keyedTransaction = async <T>(request: KeyRequest, work: (tx: Tx) => Promise<{ record: StoredResponse | undefined; value: T }>): Promise<KeyedResult<T>> => {
    const key = [request.scope, request.key];
    const found = [...key, request.fingerprint];
    try {
      return await driver.bracketed<KeyRow & { locked: boolean }, KeyedResult<T>>([{ sql: tryFindSql, params: found }], closings, async (tx, [first]) => {
        let row: KeyRow | undefined = first?.fingerprint === null ? undefined : first;
        if (first?.locked !== true) {
          await runIn(tx)({ sql: lockSql, params: key });
          row = (await runIn(tx)<KeyRow>({ sql: findSql, params: found }))[0];
        }
        let claim: KeyClaim | undefined;
        if (row !== undefined) {
          const claimed = row.takeable ? await claimWith(runIn(tx), request, null) : verdictOf(row, request);
          if (claimed.kind !== 'claimed') return { value: claimed, closing: undefined };
          claim = claimed.claim;
        }
        const { record, value } = await work(tx);
        if (record === undefined) return { value: { kind: 'ran', value }, closing: undefined };
        const closing =
          claim !== undefined
            ? { sql: recordSql, params: recordParams(claim, record) }
            : { sql: insertSql, params: [...key, request.fingerprint, ttlMs, record.status, JSON.stringify(record.headers), Buffer.from(record.body)] };
        return { value: { kind: 'ran', value }, closing };
      });
    } catch (error) {
      // Rolled back: what the other delivery left decides (its answer, once it has one).
      if (lostToAnother(error)) return (await existing(runAlone, request)) ?? { kind: 'running', retryAfterSeconds: 1 };
      throw error;
    }
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

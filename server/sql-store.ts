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
   * One transaction that the store's statement `closing` ends: BEGIN, `work`, then `closing` with
   * the values `work` ends with and COMMIT, or ROLLBACK when it ends with none. A driver that can
   * send several statements in one query sends the closing with COMMIT, so the key costs the
   * transaction no round trip of its own; `closing` is known from the start so that it can be
   * prepared with BEGIN.
   */
  bracketed<T>(closing: string, work: (tx: Tx) => Promise<BracketEnd<T>>): Promise<T>;
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
  /** Whether a claim may take the row over (see `takeable`). */
  takeable: boolean;
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
 * Keys in a Postgres table. A leased claim is one `INSERT … ON CONFLICT DO UPDATE … WHERE` (the row
 * is locked while it is decided), and a transactional write commits only with the key's row
 * inserted (its primary key is unique), so two deliveries of a key never both get it, whatever the
 * processes.
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
  const finishStatement = (claim: KeyClaim, outcome: StoredResponse | undefined): SqlStatement =>
    outcome === undefined
      ? { sql: `DELETE FROM ${table} WHERE ${owner} RETURNING 1`, params: ownerParams(claim) }
      : {
          sql: `UPDATE ${table} SET status = $4, headers = $5::jsonb, body = $6, lease_until = NULL WHERE ${owner} RETURNING 1`,
          params: [...ownerParams(claim), outcome.status, JSON.stringify(outcome.headers), Buffer.from(outcome.body)],
        };
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
  // The key's row, and whether a new claim may take it over.
  const findSql = `SELECT fingerprint, status, headers, body, (${takeable('$3')}) AS takeable FROM ${table} AS k WHERE scope = $1 AND key = $2`;
  // Runs a statement on its own, or inside a transaction.
  type Run = <Row>(statement: SqlStatement) => Promise<Row[]>;
  const runAlone: Run = (statement) => driver.query(statement.sql, statement.params);
  const runIn =
    (tx: Tx): Run =>
    (statement) =>
      driver.queryIn(tx, statement.sql, statement.params);
  // What a delivery gets from the key's row when it cannot claim it.
  const verdictOf = (row: KeyRow, request: KeyRequest): Exclude<ClaimResult, { kind: 'claimed' }> => {
    if (row.fingerprint !== request.fingerprint) return { kind: 'mismatch' };
    if (row.status === null) return { kind: 'running', retryAfterSeconds: 1 };
    return { kind: 'replay', response: storedOf(row, row.status) };
  };
  // What a delivery that did not get the key gets from the key's row (undefined: the row is gone,
  // or may be taken over, so the key is free to claim again).
  const existing = async (request: KeyRequest): Promise<Exclude<ClaimResult, { kind: 'claimed' }> | undefined> => {
    const row = (await runAlone<KeyRow>({ sql: findSql, params: [request.scope, request.key, request.fingerprint] }))[0];
    return row === undefined || row.takeable ? undefined : verdictOf(row, request);
  };
  // One try at a claim: the new token when the key was free (or its row may be taken over), under
  // a lease (Postgres) or this boot (PGlite); else the key's row decides.
  const tryClaim = async (request: KeyRequest): Promise<ClaimResult | undefined> => {
    const token = randomUUID();
    const claimed = await runAlone<{ token: string }>({ sql: claimSql, params: [request.scope, request.key, request.fingerprint, token, boot, leaseMs, ttlMs] });
    return claimed[0]?.token === token ? { kind: 'claimed', claim: { ...request, token } } : existing(request);
  };
  const claim = async (request: KeyRequest): Promise<ClaimResult> => {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const result = await tryClaim(request);
      if (result !== undefined) return result;
    }
    throw new Error(`sw-outbox/server: key ${JSON.stringify(request.key)} kept vanishing while being claimed`);
  };

  // The transactional path (keyedTransaction): the work first, then the key's row inserted with its
  // answer as the transaction's last statement, sent with COMMIT (docs/server.md, The one-transaction
  // recipe). A row of the key already there (finished, running under a lease, or being inserted by
  // a transaction that has not ended: the insert waits for it) fails the insert, so nothing of the
  // work commits, and that row gives the answer. A row written with its answer has no holder to
  // fence or to find dead (token and boot are only read while `status` is null), so it carries
  // neither: a smaller row, less WAL per write.
  const insertSql = `INSERT INTO ${table} (scope, key, fingerprint, token, boot, expires_at, status, headers, body)
       VALUES ($1, $2, $3, '', '', now() + $4 * interval '1 millisecond', $5, $6::jsonb, $7)`;
  const insertParams = (request: KeyRequest, record: StoredResponse): unknown[] => [
    request.scope,
    request.key,
    request.fingerprint,
    ttlMs,
    record.status,
    JSON.stringify(record.headers),
    Buffer.from(record.body),
  ];
  // The insert met a row of the key: that delivery has it. (The table's only unique index is its
  // primary key; a unique violation of the app's own deferred constraint at COMMIT names its table.)
  const lostToAnother = (error: unknown): boolean => {
    const { code, table: violated } = error as { code?: string; table?: string };
    return code === '23505' && violated === table;
  };
  const clearStaleSql = `DELETE FROM ${table} AS k WHERE scope = $1 AND key = $2 AND (${takeable('$3')})`;
  // What a delivery whose insert met the key's row gets: that row's verdict. A row that may be taken
  // over (expired, or its holder dead) is deleted, and the delivery is answered as running: its
  // work is rolled back and its request read, so it cannot run again here, but its retry finds the
  // key free.
  const afterLoss = async (request: KeyRequest): Promise<Exclude<ClaimResult, { kind: 'claimed' }>> => {
    const verdict = await existing(request);
    if (verdict !== undefined) return verdict;
    await runAlone({ sql: clearStaleSql, params: [request.scope, request.key, request.fingerprint] });
    return { kind: 'running', retryAfterSeconds: 1 };
  };

  // Runs `work` in a transaction that commits only with the key's row inserted. Nothing is read
  // before the work, so a free key (nearly every delivery) costs one statement of the store's; a
  // delivery whose key is another's runs its work, which rolls back, and gets that key's verdict.
  const keyedTransaction = async <T>(request: KeyRequest, work: (tx: Tx) => Promise<{ record: StoredResponse | undefined; value: T }>): Promise<KeyedResult<T>> => {
    let worked = false;
    let outcome: { value: T; kept: boolean };
    try {
      outcome = await driver.bracketed<{ value: T; kept: boolean }>(insertSql, async (tx) => {
        const { record, value } = await work(tx);
        worked = true;
        return { value: { value, kept: record !== undefined }, closing: record === undefined ? undefined : insertParams(request, record) };
      });
    } catch (error) {
      if (worked && lostToAnother(error)) return afterLoss(request);
      // The work failed, or the transaction did. A duplicate's work may fail because what it writes
      // is there already (a unique row of the app's), and a COMMIT whose answer was lost may have
      // committed: when the key's row is there and not this delivery's to take, it is the answer.
      const verdict = await existing(request).catch(() => undefined);
      if (verdict !== undefined) return verdict;
      throw error;
    }
    if (outcome.kept) return { kind: 'ran', value: outcome.value };
    // An answer not kept (rolled back, the key left free): a duplicate's work may answer so (a 409,
    // say) because the write was applied already; then the key's row is the answer.
    return (await existing(request)) ?? { kind: 'ran', value: outcome.value };
  };

  return {
    claim,
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

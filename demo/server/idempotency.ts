import { createHash } from 'node:crypto';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { Queryable } from './db';
import { jsonError } from './http';
import type { ApiResponse } from './http';
import type { ApiRequest } from './route';

/** Only these headers describe the result; anything else is regenerated per response. */
const REPLAYED_HEADERS = ['Content-Type', 'ETag', 'Location'];

export const MAX_KEY_LENGTH = 255;

interface KeyRow {
  fingerprint: string;
  state: 'in_flight' | 'done';
  boot_id: string;
  status: number | null;
  headers: Record<string, string> | null;
  body: string | null;
}

type Claim =
  | { kind: 'claimed' }
  | { kind: 'replay'; response: ApiResponse }
  | { kind: 'mismatch' }
  | { kind: 'in-flight' };

export interface IdempotentWrite {
  /** Runs after the key is marked in flight and before the write; used for fault injection. */
  beforeApply: () => Promise<void>;
  apply: (tx: Transaction) => Promise<ApiResponse>;
}

export function fingerprintOf(request: ApiRequest): string {
  return createHash('sha256')
    .update(request.method)
    .update('\0')
    .update(request.path)
    .update('\0')
    .update(request.body)
    .digest('hex');
}

/**
 * Processes a keyed write at most once in effect. The write and its stored response commit in one
 * transaction; the in-flight marker carries this process's boot id so that a marker left by a
 * crashed process (whose write therefore never committed) is taken over instead of blocking forever.
 */
export async function runIdempotent(
  db: PGlite,
  bootId: string,
  request: ApiRequest & { idempotencyKey: string },
  write: IdempotentWrite,
): Promise<ApiResponse> {
  const key = request.idempotencyKey;
  const fingerprint = fingerprintOf(request);
  const claim = await claimKey(db, bootId, key, fingerprint);
  switch (claim.kind) {
    case 'replay':
      return claim.response;
    case 'mismatch':
      return jsonError(422, 'Idempotency-Key reused with a different request');
    case 'in-flight':
      return jsonError(409, 'a request with this Idempotency-Key is still in progress', { 'Retry-After': '1' });
    case 'claimed':
      break;
  }
  try {
    await write.beforeApply();
    const response = await db.transaction(async (tx) => {
      const result = await write.apply(tx);
      // A 5xx is not an answer worth repeating: the client should be free to retry the key.
      if (result.status < 500) await storeResponse(tx, { key, fingerprint, bootId }, result);
      return result;
    });
    if (response.status >= 500) await releaseKey(db, key, bootId);
    return response;
  } catch (error) {
    await releaseKey(db, key, bootId).catch(() => undefined);
    throw error;
  }
}

async function claimKey(db: PGlite, bootId: string, key: string, fingerprint: string): Promise<Claim> {
  return db.transaction(async (tx): Promise<Claim> => {
    const existing = (
      await tx.query<KeyRow>(
        'SELECT fingerprint, state, boot_id, status, headers, body FROM idempotency_keys WHERE key = $1 FOR UPDATE',
        [key],
      )
    ).rows[0];
    const staleMarker = existing?.state === 'in_flight' && existing.boot_id !== bootId;
    if (existing === undefined || staleMarker) {
      await tx.query(
        `INSERT INTO idempotency_keys (key, fingerprint, state, boot_id) VALUES ($1, $2, 'in_flight', $3)
         ON CONFLICT (key) DO UPDATE SET fingerprint = $2, state = 'in_flight', boot_id = $3,
           status = NULL, headers = NULL, body = NULL, created_at = now()`,
        [key, fingerprint, bootId],
      );
      return { kind: 'claimed' };
    }
    if (existing.fingerprint !== fingerprint) return { kind: 'mismatch' };
    if (existing.state === 'in_flight') return { kind: 'in-flight' };
    return { kind: 'replay', response: replayOf(existing) };
  });
}

function replayOf(row: KeyRow): ApiResponse {
  return {
    status: row.status ?? 200,
    headers: { ...(row.headers ?? {}), 'Idempotent-Replayed': 'true' },
    ...(row.body === null ? {} : { body: row.body }),
  };
}

interface KeyOwner {
  key: string;
  fingerprint: string;
  bootId: string;
}

async function storeResponse(tx: Queryable, owner: KeyOwner, response: ApiResponse): Promise<void> {
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = response.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  // An upsert rather than an update, so a concurrent test reset cannot make the answer vanish.
  await tx.query(
    `INSERT INTO idempotency_keys (key, fingerprint, state, boot_id, status, headers, body)
     VALUES ($1, $2, 'done', $3, $4, $5::jsonb, $6)
     ON CONFLICT (key) DO UPDATE SET state = 'done', status = $4, headers = $5::jsonb, body = $6`,
    [owner.key, owner.fingerprint, owner.bootId, response.status, JSON.stringify(headers), response.body ?? null],
  );
}

/** Drops this process's in-flight marker so the key can be used again after a failure. */
async function releaseKey(db: Queryable, key: string, bootId: string): Promise<void> {
  await db.query(`DELETE FROM idempotency_keys WHERE key = $1 AND state = 'in_flight' AND boot_id = $2`, [key, bootId]);
}

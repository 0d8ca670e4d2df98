import { DAY_MS, HOUR_MS, scheduleCleanup } from './store';
import type { ClaimResult, IdempotencyStore, KeyClaim, KeyRequest, StoreTimes, StoredResponse } from './store';

interface Entry {
  fingerprint: string;
  token: string;
  expiresAt: number;
  /** Undefined while the request runs. */
  response: StoredResponse | undefined;
}

/**
 * Keys in this process's memory: for tests and single-process servers that may forget keys on
 * restart. A key of a running request can only be held by a live handler here, so it needs no lease.
 */
export function memoryStore(times: StoreTimes = {}): IdempotencyStore<undefined> {
  const ttlMs = times.ttlMs ?? DAY_MS;
  const entries = new Map<string, Entry>();
  // Claims are fenced within this one process: a count tells them apart as well as a random token.
  let claims = 0;
  const idOf = (request: KeyRequest): string => `${request.scope}\0${request.key}`;
  const owned = (claim: KeyClaim): Entry | undefined => {
    const entry = entries.get(idOf(claim));
    return entry?.token === claim.token && entry.response === undefined ? entry : undefined;
  };
  const finish = async (claim: KeyClaim, outcome: StoredResponse | undefined): Promise<boolean> => {
    const entry = owned(claim);
    if (entry === undefined) return false;
    if (outcome === undefined) entries.delete(idOf(claim));
    else entry.response = outcome;
    return true;
  };
  const cleanup = async (): Promise<number> => {
    const now = Date.now();
    let removed = 0;
    for (const [id, entry] of entries) {
      if (entry.expiresAt <= now && entry.response !== undefined && entries.delete(id)) removed += 1;
    }
    return removed;
  };
  const stopCleanup = scheduleCleanup(cleanup, times.cleanupEveryMs ?? HOUR_MS);
  return {
    async claim(request): Promise<ClaimResult> {
      const id = idOf(request);
      const existing = entries.get(id);
      const now = Date.now();
      if (existing === undefined || (existing.expiresAt <= now && existing.response !== undefined)) {
        const token = String((claims += 1));
        entries.set(id, { fingerprint: request.fingerprint, token, expiresAt: now + ttlMs, response: undefined });
        return { kind: 'claimed', claim: { scope: request.scope, key: request.key, fingerprint: request.fingerprint, token } };
      }
      if (existing.fingerprint !== request.fingerprint) return { kind: 'mismatch' };
      if (existing.response === undefined) return { kind: 'running', retryAfterSeconds: 1 };
      return { kind: 'replay', response: existing.response };
    },
    finish,
    transaction: (work) => work(undefined),
    finishIn: (_tx, claim, outcome) => finish(claim, outcome),
    cleanup,
    async close() {
      stopCleanup();
    },
  };
}

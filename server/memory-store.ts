import { DAY_MS, HOUR_MS, scheduleCleanup } from './store';
import type { ClaimResult, IdempotencyStore, KeyClaim, StoreTimes, StoredResponse } from './store';

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
  // The entries of each scope by key: a key is looked up as it came, with no id joined per request.
  const scopes = new Map<string, Map<string, Entry>>();
  const entriesOf = (scope: string): Map<string, Entry> => {
    let entries = scopes.get(scope);
    if (entries === undefined) scopes.set(scope, (entries = new Map()));
    return entries;
  };
  // Claims are fenced within this one process: a count tells them apart as well as a random token.
  let claims = 0;
  const finish = async (claim: KeyClaim, outcome: StoredResponse | undefined): Promise<boolean> => {
    const entries = scopes.get(claim.scope);
    const entry = entries?.get(claim.key);
    if (entry?.token !== claim.token || entry.response !== undefined) return false;
    if (outcome === undefined) entries!.delete(claim.key);
    else entry.response = outcome;
    return true;
  };
  const cleanup = async (): Promise<number> => {
    const now = Date.now();
    let removed = 0;
    for (const [scope, entries] of scopes) {
      for (const [key, entry] of entries) {
        if (entry.expiresAt <= now && entry.response !== undefined && entries.delete(key)) removed += 1;
      }
      if (entries.size === 0) scopes.delete(scope);
    }
    return removed;
  };
  const stopCleanup = scheduleCleanup(cleanup, times.cleanupEveryMs ?? HOUR_MS);
  return {
    async claim(request): Promise<ClaimResult> {
      const entries = entriesOf(request.scope);
      const existing = entries.get(request.key);
      const now = Date.now();
      if (existing === undefined || (existing.expiresAt <= now && existing.response !== undefined)) {
        const token = String((claims += 1));
        entries.set(request.key, { fingerprint: request.fingerprint, token, expiresAt: now + ttlMs, response: undefined });
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

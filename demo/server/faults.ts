import { sleep } from './http';

export interface FailFault {
  count: number;
  status: number;
  retryAfter?: string;
  /** The answer's exact body and Content-Type (an empty or non-JSON body, say) instead of a JSON error. */
  body?: string;
  contentType?: string;
}

/** Faults injected by tests into mutating /api/ requests; held in memory, never persisted. */
export interface Faults {
  delayMs?: number;
  fail?: FailFault;
  /** A session: writes must carry exactly this Authorization header, or get 401. */
  requireAuth?: string;
  /** The Cache-Control of read answers (`no-cache` unless set: a worker may keep them). */
  readCacheControl?: string;
  /** The next N writes (a batch counts as one) are applied, then their connection is cut before any answer. */
  cutAfterApply?: number;
}

export class FaultInjector {
  private faults: Faults = {};

  current(): Faults {
    return structuredClone(this.faults);
  }

  /** Replaces all faults; `{}` clears them. */
  set(faults: Faults): void {
    this.faults = structuredClone(faults);
  }

  clear(): void {
    this.faults = {};
  }

  /** Consumes one injected failure, if any remain. */
  takeFailure(): FailFault | undefined {
    const fail = this.faults.fail;
    if (fail === undefined || fail.count <= 0) return undefined;
    fail.count -= 1;
    const taken = { ...fail };
    if (fail.count === 0) delete this.faults.fail;
    return taken;
  }

  /** Consumes one cut-after-apply, if any remain: true when this write's answer must never arrive. */
  takeCut(): boolean {
    if (!this.faults.cutAfterApply) return false;
    this.faults.cutAfterApply -= 1;
    if (this.faults.cutAfterApply === 0) delete this.faults.cutAfterApply;
    return true;
  }

  /** The Cache-Control an /api/ answer goes out with: reads may be kept (revalidated), writes' answers never. */
  cacheControl(method: string): string {
    if (method !== 'GET') return 'no-store';
    return this.faults.readCacheControl ?? 'no-cache';
  }

  /** Whether a write's Authorization header fails the session a test set up. */
  unauthorized(authorization: string | undefined): boolean {
    return this.faults.requireAuth !== undefined && authorization !== this.faults.requireAuth;
  }

  /** Holds a write between recording it as in flight and applying it, so tests can race it. */
  async delayWrite(): Promise<void> {
    await sleep(this.faults.delayMs ?? 0);
  }
}

/** Validates a POST /__test/faults body; returns a message when it is not acceptable. */
export function parseFaults(value: unknown): Faults | string {
  if (!isObject(value)) return 'faults must be a JSON object';
  const faults: Faults = {};
  if (value.delayMs !== undefined) {
    if (typeof value.delayMs !== 'number' || !Number.isFinite(value.delayMs) || value.delayMs < 0) {
      return 'delayMs must be a non-negative number';
    }
    faults.delayMs = value.delayMs;
  }
  if (value.requireAuth !== undefined) {
    if (typeof value.requireAuth !== 'string' || value.requireAuth === '') return 'requireAuth must be a non-empty string';
    faults.requireAuth = value.requireAuth;
  }
  if (value.readCacheControl !== undefined) {
    if (typeof value.readCacheControl !== 'string') return 'readCacheControl must be a string';
    faults.readCacheControl = value.readCacheControl;
  }
  if (value.cutAfterApply !== undefined) {
    if (typeof value.cutAfterApply !== 'number' || !Number.isInteger(value.cutAfterApply) || value.cutAfterApply < 0) return 'cutAfterApply must be a non-negative integer';
    faults.cutAfterApply = value.cutAfterApply;
  }
  if (value.fail !== undefined) {
    const fail = value.fail;
    if (!isObject(fail)) return 'fail must be an object';
    if (typeof fail.count !== 'number' || !Number.isInteger(fail.count) || fail.count < 0) {
      return 'fail.count must be a non-negative integer';
    }
    // 2xx too: a test can make the server answer a write with a body that is not JSON.
    if (typeof fail.status !== 'number' || !Number.isInteger(fail.status) || fail.status < 200 || fail.status > 599) {
      return 'fail.status must be an HTTP status (200-599)';
    }
    if (fail.retryAfter !== undefined && typeof fail.retryAfter !== 'string') return 'fail.retryAfter must be a string';
    if (fail.body !== undefined && typeof fail.body !== 'string') return 'fail.body must be a string';
    if (fail.contentType !== undefined && typeof fail.contentType !== 'string') return 'fail.contentType must be a string';
    faults.fail = {
      count: fail.count,
      status: fail.status,
      ...(fail.retryAfter === undefined ? {} : { retryAfter: fail.retryAfter }),
      ...(fail.body === undefined ? {} : { body: fail.body }),
      ...(fail.contentType === undefined ? {} : { contentType: fail.contentType }),
    };
  }
  return faults;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

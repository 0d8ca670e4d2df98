import type { ConflictStrategy, EntryState, EntrySummary } from '../../protocol';
import { isJson, parseJsonBytes } from '../json/json';

/** One write in the log, exactly as IndexedDB holds it (docs/protocol.md, The log). */
export interface StoredEntry {
  /** Primary key: the order the page issued its writes in. Absent only before the first commit. */
  seq?: number;
  /** The Outbox-Id pages see. */
  id: string;
  /** Sent on every retry of this write; a re-send after a conflict gets a new one. */
  idempotencyKey: string;
  method: string;
  url: string;
  /** Request headers minus credentials (docs/protocol.md, Credentials). */
  headers: [string, string][];
  /** The page sent credentials (stripped here): a replay asks an open page for fresh ones first. */
  needsCredentials?: boolean;
  body: ArrayBuffer | null;
  contentType: string | null;
  /** Whose write it is (the app's key for the signed-in user; '' by default): sent only while that partition is active. */
  partition: string;
  /** The resource; writes of one resource go out one at a time, in seq order. */
  resource: string;
  /** Equal to `resource` while the write is to be sent; removed when it dies, so the lane index forgets it. */
  lane?: string;
  tempId: string | null;
  /** The temporary URL a create answered with. */
  tempUrl: string | null;
  /** The version the page (or the worker) based this write on, as taken. */
  requestedBase: string | null;
  /** The version to send; for a chained write, set when the write before it is confirmed. */
  baseVersion: string | null;
  /** Based on the outcome of the previous write of the same resource, not on anything the server has yet. */
  chained: boolean;
  /** Rebased on the answer to the user's own previous write: no read verifies it (docs/protocol.md, Verification). */
  basedOnOwn?: boolean;
  baseRepresentation: unknown;
  createdAt: number;
  /** Answers from the server so far (network failures do not count). */
  attempts: number;
  /** Failures in a row, network ones included: drives the backoff. */
  failures: number;
  nextAttemptAt: number;
  /** The earliest next send a server asked for with Retry-After. */
  notBefore: number;
  state: EntryState;
  lastStatus: number | null;
  lastError: string | null;
  reason: string | null;
  /** The route's settings, decided when the write was taken. */
  coalesce: boolean;
  /** Whether the write carries a version at all (`versioning` is not `off`). */
  versioned: boolean;
  conflict: ConflictStrategy;
  /** Ids of later writes merged into this one: they settle when it does. */
  coalesced: string[];
  /** While waiting on a conflict: the server's state it met, and the fields both sides changed. */
  serverState?: unknown;
  overlapping?: string[];
  /** The body of the last answer that was not a success (an error message, say). */
  lastResponse?: unknown;
}

/** Fields a write has before the log gives it a place and a chain. */
export type EntryDraft = Omit<StoredEntry, 'seq' | 'lane' | 'chained' | 'baseVersion' | 'coalesced'>;

/**
 * A fresh `Idempotency-Key`: a UUID as a structured-field string, quoted, as
 * draft-ietf-httpapi-idempotency-key-header-07 writes it (docs/protocol.md, Headers).
 */
export function newIdempotencyKey(): string {
  return `"${crypto.randomUUID()}"`;
}

/** The body as JSON where it is JSON, else null. */
export function jsonBodyOf(entry: Pick<StoredEntry, 'body' | 'contentType'>): unknown {
  if (entry.body === null || !isJson(entry.contentType)) return null;
  return parseJsonBytes(entry.body) ?? null;
}

/** The write's own id and those of the writes merged into it: they share its fate. */
export function idsOf(entry: Pick<StoredEntry, 'id' | 'coalesced'>): string[] {
  return [entry.id, ...entry.coalesced];
}

/** A write as pages see it in `list()`. */
export function summarize(entry: StoredEntry): EntrySummary {
  return {
    id: entry.id,
    seq: entry.seq ?? 0,
    method: entry.method,
    url: entry.url,
    resource: entry.resource,
    tempId: entry.tempId,
    state: entry.state,
    attempts: entry.attempts,
    createdAt: entry.createdAt,
    nextAttemptAt: Math.max(entry.nextAttemptAt, entry.notBefore),
    baseVersion: entry.baseVersion,
    json: jsonBodyOf(entry),
    lastStatus: entry.lastStatus,
    lastError: entry.lastError,
    lastResponse: entry.lastResponse ?? null,
    reason: entry.reason,
    server: entry.state === 'conflict' ? (entry.serverState ?? null) : null,
    base: entry.baseRepresentation ?? null,
  };
}

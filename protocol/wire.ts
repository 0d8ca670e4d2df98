/**
 * What crosses between the worker and its pages: the log entry as pages see it, the events the
 * worker broadcasts, and the two APIs called over Comlink, the worker's (pages call it) and the
 * page's (the worker calls it). Types only; imported by sw/ and client/ alike. The reference is
 * docs/protocol.md.
 */

/** Where a write is in its life. Settled writes leave the log; dead ones stay until the app acts. */
export type EntryState = 'queued' | 'held' | 'conflict' | 'dead';

/** A write as pages see it in `list()`: the log entry without its raw bytes. */
export interface EntrySummary {
  id: string;
  seq: number;
  method: string;
  url: string;
  resource: string;
  tempId: string | null;
  state: EntryState;
  attempts: number;
  createdAt: number;
  nextAttemptAt: number;
  baseVersion: string | null;
  /** The request body parsed as JSON where it is JSON, else null. */
  json: unknown;
  lastStatus: number | null;
  lastError: string | null;
  /** The body of the last answer that was not a success, parsed where JSON. */
  lastResponse: unknown;
  /** Why a dead entry died (`rejected`, `conflict`, `cascade`, `max-attempts`, `expired`), or why one waits on a conflict. */
  reason: string | null;
  /** For a write waiting on a conflict: the server's state it met. */
  server: unknown;
  /** The representation the write was made from, where the worker had one. */
  base: unknown;
}

/**
 * A page's answer to a conflict that waits for a person: send this body instead, send the write
 * as it was (its own bytes, so bodies that are not JSON can be kept too), or drop the change.
 */
export type ConflictAnswer = { body: unknown } | { resend: true } | { discard: true };

export interface OutboxStatus {
  /** Changes every time the worker starts: a tab that sees a new one reconnects at once. */
  instance: string;
  /** Writes still to be sent (queued, held or waiting on a conflict). */
  pending: number;
  inFlight: number;
  dead: number;
  online: boolean;
  draining: boolean;
  paused: boolean;
  lastError: string | null;
  /** The last read on a route was answered from a kept copy (the network failed): pages show offline data. */
  servedOffline: boolean;
}

interface EventBase {
  /** Position in the worker's event history; a reconnecting tab reads from the last one it saw. */
  seq: number;
  at: number;
}

export interface QueuedEvent extends EventBase { type: 'queued'; id: string; method: string; url: string; resource: string; tempId: string | null }
export interface SentEvent extends EventBase { type: 'sent'; id: string; resource: string; attempt: number }
export interface ConfirmedEvent extends EventBase {
  type: 'confirmed'; id: string; resource: string; status: number; body: unknown; version: string | null; live: boolean;
}
export interface RetryingEvent extends EventBase {
  type: 'retrying'; id: string; resource: string; attempt: number; nextAttemptAt: number; reason: string;
}
export interface ConflictEvent extends EventBase {
  type: 'conflict'; id: string; resource: string; status: number; strategy: string;
  base: unknown; local: unknown; server: unknown;
  /** True when the local change was dropped; `lostFields` names what was lost. */
  dropped: boolean; lostFields: string[];
  /** True when the write waits for a page to `resolve` it; `reason` and `overlapping` say why. */
  waiting: boolean; reason: string | null; overlapping: string[];
}
export interface ResolvedEvent extends EventBase { type: 'resolved'; id: string; resource: string; how: string }
export interface RejectedEvent extends EventBase {
  type: 'rejected'; id: string; resource: string; status: number | null; body: unknown;
  /**
   * `rejected` (4xx), `cascade` (an earlier write of the resource failed), `max-attempts`, `expired`,
   * `discarded`, `cleared`, `deleted` (the log's database was deleted under the worker).
   */
  reason: string; live: boolean;
  /** The fields of the write's JSON body that will not reach the server: what the user loses. */
  lostFields: string[];
}
/** A write waits for fresh credentials: the server said 401/403, or no open page could supply them. */
export interface HeldEvent extends EventBase { type: 'held'; id: string; resource: string; status: number | null; reason: string }
export interface IdMapEvent extends EventBase { type: 'idmap'; tempId: string; realId: string | number; tempUrl: string; realUrl: string }
export interface StatusEvent extends EventBase { type: 'status'; status: OutboxStatus }
/** A new worker version took over; its log schema is `logVersion`. */
export interface ActivatedEvent extends EventBase { type: 'activated'; instance: string; logVersion: number }

export type OutboxEvent =
  | QueuedEvent | SentEvent | ConfirmedEvent | RetryingEvent | ConflictEvent
  | ResolvedEvent | RejectedEvent | HeldEvent | IdMapEvent | StatusEvent | ActivatedEvent;

export type OutboxEventType = OutboxEvent['type'];

/** An event before the history gives it its place. */
export type NewEvent = OutboxEvent extends infer E ? (E extends OutboxEvent ? Omit<E, 'seq' | 'at'> : never) : never;

/** The API the worker exposes to each page over Comlink. */
export interface WorkerApi {
  ping(): string;
  status(): Promise<OutboxStatus>;
  list(): Promise<EntrySummary[]>;
  /** Events after `afterSeq`, oldest first, from the bounded history. */
  history(afterSeq?: number): Promise<OutboxEvent[]>;
  /** Sends everything that is due now (ignoring backoff, never a server's Retry-After). */
  replay(): Promise<void>;
  retry(id: string): Promise<boolean>;
  /** Answers a conflict that waits: send this body instead (against the server's version), or drop the change. */
  resolve(id: string, answer: ConflictAnswer): Promise<boolean>;
  discard(id: string): Promise<boolean>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Makes a partition (the app's key for the signed-in user) active: only its writes are sent, listed and counted. */
  setPartition(partition: string): Promise<void>;
  /** Removes every write and every kept read of a partition (default: the active one), as an app does on sign-out. */
  clear(partition?: string): Promise<void>;
  /**
   * Hands the worker this page's side of the line (a Comlink proxy), so the worker can ask it for
   * what only the app knows. Called on every new connection; a page that connects is asked at
   * once about conflicts that already wait.
   */
  connectPage(page: PageApi): Promise<void>;
}

/** A write the worker needs fresh credentials for (they are never stored). */
export interface CredentialsQuestion {
  url: string;
  method: string;
}

/** A conflict that waits for a person: what the write met, for a page to answer. */
export interface ConflictQuestion {
  id: string;
  resource: string;
  method: string;
  url: string;
  /** The representation the write was made from, where the worker had one. */
  base: unknown;
  /** The write's own JSON body. */
  local: unknown;
  /** The server's state the write met. */
  server: unknown;
  /** Why it waits (`manual`, `overlapping changes`, …), and the fields both sides changed. */
  reason: string | null;
  overlapping: string[];
}

/**
 * The API each page exposes to the worker over Comlink: the worker asks, the first page that
 * answers with a value wins, and null means this page has no answer (no provider, no handler).
 */
export interface PageApi {
  credentials(write: CredentialsQuestion): Promise<Record<string, string> | null>;
  conflict(question: ConflictQuestion): Promise<ConflictAnswer | null>;
}

import type { BatchOptions } from './batch';
import type { ConditionalRoute } from './conditions';
import type { ProblemRenderer } from './problem';
import type { IdempotencyStore } from './store';

/** Whether a request must, may or need not carry an Idempotency-Key. */
export type KeyPolicy = 'required' | 'optional' | 'ignored';

/** Settings of `exactlyOnce`; only `store` is needed. */
export interface ExactlyOnceOptions<Tx> {
  store: IdempotencyStore<Tx>;
  /**
   * The requests whose handler makes every change it makes inside `context.transaction` (true: all;
   * a function: per request; default none). Their key is claimed as that transaction ends, so
   * write, claim and recorded answer are one transaction and no lease is taken; the others' key is
   * claimed first, on its own, under a lease. It must be said beforehand: a duplicate delivery of a
   * transactional request runs the handler and its work, which is rolled back, so a handler that
   * changes something outside the transaction needs its key claimed before it starts (docs/server.md,
   * The one-transaction recipe). Stores without `keyedTransaction` (memory) ignore it.
   */
  transactional?: boolean | ((request: Request) => boolean);
  /** The batch URL (docs/protocol.md, Batch replay): its path and limits; `false` turns batching off. Default `/api/$batch`, 100 writes, 1 MiB. */
  batch?: BatchOptions | false;
  /** Per route: default `optional` for POST, PUT, PATCH and DELETE, `ignored` for the rest. */
  keys?: (request: Request) => KeyPolicy;
  /**
   * Whose key it is (a user or tenant id from the request), so one caller's key never replays
   * another's response. Default: one scope for everybody.
   */
  scope?: (request: Request) => string | Promise<string>;
  /** Which outcomes are kept for replay; default `finalOutcome` (never a 5xx). */
  keep?: (status: number) => boolean;
  /** Longest key accepted, in characters; default 255. */
  maxKeyLength?: number;
  /** Also accept unquoted keys (see `KeySyntax`); default false. */
  bareKeys?: boolean;
  /** Response headers stored and replayed; default `DEFAULT_REPLAYED_HEADERS`. */
  replayedHeaders?: readonly string[];
  /** Per route: the resource a write is conditional on, or undefined when it is not. */
  conditions?: (request: Request) => ConditionalRoute<Tx> | undefined;
  /** How the kit's own errors are written; default `application/problem+json`. */
  problem?: ProblemRenderer;
}

/** The default `keep`: 2xx and 4xx, except the 4xx that mean "not now" (408, 409, 425, 429). */
export function finalOutcome(status: number): boolean {
  if (status >= 200 && status < 300) return true;
  return status >= 400 && status < 500 && ![408, 409, 425, 429].includes(status);
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The default `keys`. */
export function optionalForWrites(request: Request): KeyPolicy {
  return UNSAFE_METHODS.has(request.method) ? 'optional' : 'ignored';
}

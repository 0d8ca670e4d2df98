import type { Transaction } from '@electric-sql/pglite';
import type { ConditionalRoute } from '../../server';
import type { Queryable } from './db';
import type { ApiResponse } from './http';

export type WriteMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export const WRITE_METHODS: readonly WriteMethod[] = ['POST', 'PUT', 'PATCH', 'DELETE'];

export function isWriteMethod(method: string): method is WriteMethod {
  return (WRITE_METHODS as readonly string[]).includes(method);
}

/** An /api/ write after its body has been read; everything a handler may look at. */
export interface ApiRequest {
  method: string;
  /** Path and query as sent; this is what the audit log records. */
  path: string;
  headers: Headers;
  body: Buffer;
  /** The write's Idempotency-Key as the kit read it, when it had one. */
  idempotencyKey: string | undefined;
}

export type ReadHandler = (db: Queryable) => Promise<ApiResponse>;

/**
 * Runs inside the transaction in which the kit (sw-outbox/server) also records the key's
 * answer, so a write and its replayable answer commit together or not at all. Handlers append
 * to the audit log themselves, and only when they actually applied a change.
 */
export type WriteHandler = (tx: Transaction, request: ApiRequest) => Promise<ApiResponse>;

export interface Route {
  read?: ReadHandler;
  writes: Partial<Record<WriteMethod, WriteHandler>>;
  /** The resource whose ETag the route's writes are conditional on (If-Match, If-None-Match). */
  conditional?: (db: Queryable) => ConditionalRoute<Transaction>;
}

export function allowedMethods(route: Route): string {
  const methods = route.read ? ['GET', 'HEAD'] : [];
  return [...methods, ...Object.keys(route.writes)].join(', ');
}

import type { IncomingHttpHeaders } from 'node:http';
import type { Transaction } from '@electric-sql/pglite';
import type { Queryable } from './db';
import type { ApiResponse } from './http';

export type WriteMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export const WRITE_METHODS: readonly WriteMethod[] = ['POST', 'PUT', 'PATCH', 'DELETE'];

export function isWriteMethod(method: string): method is WriteMethod {
  return (WRITE_METHODS as readonly string[]).includes(method);
}

/** An /api/ request after its body has been read; everything a handler may look at. */
export interface ApiRequest {
  method: string;
  /** Path and query exactly as sent; this is what the audit log and fingerprints use. */
  path: string;
  pathname: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  idempotencyKey: string | undefined;
}

export type ReadHandler = (db: Queryable) => Promise<ApiResponse>;

/**
 * Runs inside the transaction that also stores the idempotent response, so a write and its
 * recorded answer commit together or not at all. Handlers append to the audit log themselves,
 * and only when they actually applied a change.
 */
export type WriteHandler = (tx: Transaction, request: ApiRequest) => Promise<ApiResponse>;

export interface Route {
  read?: ReadHandler;
  writes: Partial<Record<WriteMethod, WriteHandler>>;
}

export function allowedMethods(route: Route): string {
  const methods = route.read ? ['GET', 'HEAD'] : [];
  return [...methods, ...Object.keys(route.writes)].join(', ');
}

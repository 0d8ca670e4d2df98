import type { IncomingMessage } from 'node:http';
import type { PGlite } from '@electric-sql/pglite';
import type { FailFault, FaultInjector } from './faults';
import { BodyTooLargeError, headerValue, jsonError, readBody } from './http';
import type { ApiResponse } from './http';
import { MAX_KEY_LENGTH, runIdempotent } from './idempotency';
import { allowedMethods, isWriteMethod } from './route';
import type { ApiRequest, Route } from './route';
import { matchTodoRoute } from './todos';
import { matchAttachmentRoute } from './attachments';

export interface ApiContext {
  db: PGlite;
  /** Identifies this process's in-flight idempotency markers (see idempotency.ts). */
  bootId: string;
  faults: FaultInjector;
}

const ROUTE_MATCHERS: ReadonlyArray<(pathname: string) => Route | undefined> = [matchTodoRoute, matchAttachmentRoute];

function matchRoute(pathname: string): Route | undefined {
  for (const match of ROUTE_MATCHERS) {
    const route = match(pathname);
    if (route) return route;
  }
  return undefined;
}

/** Answers one /api/ request; `path` keeps the query string, `pathname` is used for routing. */
export async function handleApi(context: ApiContext, req: IncomingMessage, path: string, pathname: string): Promise<ApiResponse> {
  const method = req.method ?? 'GET';
  if (!isWriteMethod(method)) return handleRead(context, method, pathname);

  let body: Buffer;
  try {
    body = await readBody(req);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return jsonError(413, error.message, { Connection: 'close' });
    throw error;
  }

  // An injected failure behaves like a broken gateway: nothing is applied, nothing is stored.
  const failure = context.faults.takeFailure();
  if (failure) return injectedFailure(failure);
  if (context.faults.unauthorized(headerValue(req.headers.authorization))) return jsonError(401, 'sign in again');

  const route = matchRoute(pathname);
  if (!route) return jsonError(404, 'not found');
  const handler = route.writes[method];
  if (!handler) return methodNotAllowed(route);

  const idempotencyKey = headerValue(req.headers['idempotency-key']);
  const request: ApiRequest = { method, path, pathname, headers: req.headers, body, idempotencyKey };
  const { db, faults } = context;

  if (idempotencyKey === undefined) {
    await faults.delayWrite();
    return db.transaction((tx) => handler(tx, request));
  }
  if (idempotencyKey === '' || idempotencyKey.length > MAX_KEY_LENGTH) {
    return jsonError(400, `Idempotency-Key must be 1-${MAX_KEY_LENGTH} characters`);
  }
  return runIdempotent(db, context.bootId, { ...request, idempotencyKey }, {
    beforeApply: () => faults.delayWrite(),
    apply: (tx) => handler(tx, request),
  });
}

async function handleRead(context: ApiContext, method: string, pathname: string): Promise<ApiResponse> {
  const route = matchRoute(pathname);
  if (!route) return jsonError(404, 'not found');
  if ((method !== 'GET' && method !== 'HEAD') || !route.read) return methodNotAllowed(route);
  return route.read(context.db);
}

function injectedFailure(failure: FailFault): ApiResponse {
  const headers: Record<string, string> = failure.retryAfter === undefined ? {} : { 'Retry-After': failure.retryAfter };
  if (failure.body === undefined) return jsonError(failure.status, 'injected fault', headers);
  if (failure.contentType !== undefined) headers['Content-Type'] = failure.contentType;
  return { status: failure.status, headers, body: failure.body };
}

function methodNotAllowed(route: Route): ApiResponse {
  return jsonError(405, 'method not allowed', { Allow: allowedMethods(route) });
}

import type { IncomingMessage } from 'node:http';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { DEFAULT_BATCH_PATH, batchHeader, exactlyOnce } from '../../server';
import type { FetchHandler, IdempotencyStore, Problem } from '../../server';
import { toRequest } from '../../server/node';
import type { FailFault, FaultInjector } from './faults';
import { BodyTooLargeError, fetchResponse, headerValue, jsonError, readBody } from './http';
import type { ApiResponse } from './http';
import { allowedMethods, isWriteMethod } from './route';
import type { Route } from './route';
import { matchTodoRoute } from './todos';
import { matchAttachmentRoute } from './attachments';

export interface ApiContext {
  db: PGlite;
  faults: FaultInjector;
  /** Writes through sw-outbox/server: Idempotency-Key, If-Match, and the route's handler. */
  writes: FetchHandler;
}

const ROUTE_MATCHERS: ReadonlyArray<(pathname: string) => Route | undefined> = [matchTodoRoute, matchAttachmentRoute];

function matchRoute(pathname: string): Route | undefined {
  for (const match of ROUTE_MATCHERS) {
    const route = match(pathname);
    if (route) return route;
  }
  return undefined;
}

/**
 * The demo's writes on the kit. The worker sends keys quoted, as the draft writes them; bare ones
 * are taken too (writes queued by workers before 0.2 carry them, and so do many clients). A key is
 * kept with the write in one PGlite transaction; errors keep the demo's `{ "error": … }` shape.
 */
export function demoWrites(db: PGlite, keys: IdempotencyStore<Transaction>, faults: FaultInjector): FetchHandler {
  return exactlyOnce<Transaction>(
    async (request, context) => {
      const route = matchRoute(new URL(request.url).pathname);
      const handler = route?.writes[request.method as keyof Route['writes']];
      if (!route) return fetchResponse(jsonError(404, 'not found'));
      if (!handler) return fetchResponse(methodNotAllowed(route));
      const url = new URL(request.url);
      const write = { method: request.method, path: url.pathname + url.search, headers: request.headers, body: Buffer.from(await request.arrayBuffer()), idempotencyKey: context.key };
      // Held between claiming the key and applying the write, so tests can race a running key.
      await faults.delayWrite();
      return context.transaction(async (tx) => fetchResponse(await handler(tx, write)));
    },
    {
      store: keys,
      bareKeys: true,
      conditions: (request) => matchRoute(new URL(request.url).pathname)?.conditional?.(db),
      problem: demoProblem,
    },
  );
}

const PROBLEM_MESSAGES: Partial<Record<Problem['kind'], string>> = {
  'key-reused': 'Idempotency-Key reused with a different request',
  'key-running': 'a request with this Idempotency-Key is still in progress',
};

function demoProblem(problem: Problem): Response {
  return fetchResponse(jsonError(problem.status, PROBLEM_MESSAGES[problem.kind] ?? problem.detail, problem.headers));
}

/**
 * Answers one /api/ request; `path` keeps the query string, `pathname` is used for routing. The
 * batch URL (`/api/$batch`, every method) goes to the kit, which answers batches itself; a fault or
 * a sign-out meets a batch as it meets a write, once for the whole request.
 */
export async function handleApi(context: ApiContext, req: IncomingMessage, path: string, pathname: string): Promise<ApiResponse> {
  const method = req.method ?? 'GET';
  if (!isWriteMethod(method) && pathname !== DEFAULT_BATCH_PATH) {
    // Reads are not the kit's: they name the batch URL themselves, so the worker learns it from any answer.
    const read = await handleRead(context, method, pathname);
    return { ...read, headers: { ...read.headers, [batchHeader]: `<${DEFAULT_BATCH_PATH}>` } };
  }

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
  return apiResponse(await context.writes(toRequest(req, body, path)));
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

/** The kit's answer, buffered as the demo sends its own. */
async function apiResponse(response: Response): Promise<ApiResponse> {
  const text = await response.text();
  return { status: response.status, headers: Object.fromEntries(response.headers), ...(text === '' ? {} : { body: text }) };
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { batchHeader } from '../protocol/names';
import { batchEndpoint } from './batch';
import type { BatchEndpoint } from './batch';
import { exactlyOnceSingle } from './core';
import type { FetchHandler } from './core';
import { BodyAlreadyReadError, readBodyAndPutBack } from './body-put-back';
import { bytesOnlyOf } from './byte-answers';
import { holdAnswer } from './held-answer';
import { dispatchThrough } from './node-dispatch';
import type { NodeApp } from './node-dispatch';
import { BodyTooLargeError, DEFAULT_MAX_BODY_BYTES, failed, readNodeBody, sendResponse, toRequest } from './node';
import type { NodeAdapterOptions } from './node';
import type { ExactlyOnceOptions } from './options';
import { problemJson, problems } from './problem';
import type { ProblemRenderer } from './problem';
import { AnswerNotKept, routeRun } from './route-context';
import type { RouteContext } from './route-context';

export type { RouteContext } from './route-context';

// Express's types are not imported: these signatures use node:http's, which Express's extend, so
// this entry compiles without @types/express and fits Express 4 and 5 alike.

/** Express's `next`. */
export type NextFunction = (error?: unknown) => void;

/** An Express middleware, typed with node:http's request and response (Express's extend them). */
export type ExpressMiddleware = (req: IncomingMessage, res: ServerResponse, next: NextFunction) => void;

/**
 * An Express (4.17+ or 5) handler that serves a Fetch handler (such as one made by `exactlyOnce`):
 * `app.use('/api', expressHandler(handler))`. Routes after it never run; to keep the app's own
 * routes, use `expressExactlyOnce`. Mount it without a JSON or text body parser (or behind
 * `express.raw()`): the kit needs the body's exact bytes. A body over `maxBodyBytes` is answered 413;
 * other failures go to `next(error)`.
 */
export function expressHandler(handler: FetchHandler, options: NodeAdapterOptions = {}): ExpressMiddleware {
  // Its answers go nowhere but `sendResponse`, which sends noted bytes as they are.
  const { handler: serve, headers } = bytesOnlyOf(handler);
  return (req, res, next) => {
    void (async () => {
      try {
        const body = await rawBodyOf(req, options.maxBodyBytes);
        await sendResponse(res, await serve(toRequest(req, body, originalUrlOf(req))), headers);
      } catch (error) {
        if (error instanceof BodyTooLargeError) failed(res, error);
        else next(error);
      }
    })();
  };
}

/** Settings of `expressExactlyOnce`: the kit's, and the largest body it reads. */
export interface ExpressExactlyOnceOptions<Tx> extends ExactlyOnceOptions<Tx>, NodeAdapterOptions {}

/** The middleware `expressExactlyOnce` makes, with a typed way to reach a request's context. */
export interface ExpressExactlyOnce<Tx> extends ExpressMiddleware {
  /** The kit's context of a request it let through (`req.exactlyOnce`, typed with the store's transaction). */
  of(req: IncomingMessage): RouteContext<Tx>;
}

declare global {
  // Express's request type lives in this global namespace (@types/express-serve-static-core).
  namespace Express {
    interface Request {
      /** Set by `expressExactlyOnce` on the requests it lets through; `kit.of(req)` has it typed. */
      exactlyOnce?: RouteContext<unknown>;
    }
  }
}

/** What the middleware leaves on a request it lets through. */
type WithContext = IncomingMessage & { exactlyOnce?: RouteContext<unknown> };

/**
 * An Express (4.17+ or 5) middleware in front of the app's own routes, as `honoExactlyOnce` is for
 * Hono: `app.use(expressExactlyOnce({ store }))`, then the app's body parsers and routes as they
 * were. It claims the Idempotency-Key and checks preconditions (answering replays and the kit's
 * errors itself); otherwise the routes after it run, with `req.exactlyOnce` (or `kit.of(req)`), and
 * the answer the route sends is recorded for replay before it goes out. The body is read for its
 * digest and put back, so any body parser after it reads it as usual. Put it before body parsers.
 * It answers the batch URL too, sending each write through the app (this middleware included) as a
 * request of its own; mount it where it sees the batch path (default `/api/$batch`).
 */
export function expressExactlyOnce<Tx>(options: ExpressExactlyOnceOptions<Tx>): ExpressExactlyOnce<Tx> {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const problem = options.problem ?? problemJson;
  const contexts = new WeakMap<IncomingMessage, RouteContext<Tx>>();
  const batch = batchEndpoint(options.batch, problem);
  const middleware: ExpressMiddleware = (req, res, next) => {
    if (batch !== undefined) {
      res.setHeader(batchHeader, batch.advertised);
      if (batch.handles(originalUrlOf(req) ?? req.url ?? '/')) {
        answerBatch(batch, req, res, problem).catch(next);
        return;
      }
    }
    void (async () => {
      // Headers earlier middleware set (CORS…) stay; the route's go if the kit answers instead of it.
      const before = res.getHeaders();
      const held = { current: undefined as ReturnType<typeof holdAnswer> | undefined };
      try {
        const body = req.headers['idempotency-key'] === undefined ? undefined : await readBodyAndPutBack(req, limit);
        // Made per request, as its handler is this request's route: `exactlyOnce` itself only gathers settings.
        const run = exactlyOnceSingle<Tx>(async (_request, write) => {
          const answer = holdAnswer(res);
          held.current = answer;
          const watch = { started: answer.finished.then(() => undefined), answer: () => (answer.ended() === undefined ? undefined : answer.finished) };
          const route = routeRun(write, watch, problem);
          contexts.set(req, route.context);
          (req as WithContext).exactlyOnce = route.context as RouteContext<unknown>;
          next();
          return route.settle(await answer.finished);
        }, options);
        const response = await run(toRequest(req, body, originalUrlOf(req)));
        held.current?.release();
        await sendAnswer(res, before, response);
      } catch (error) {
        held.current?.release();
        if (error instanceof AnswerNotKept) await sendAnswer(res, before, error.answer).catch(next);
        else if (error instanceof BodyTooLargeError) failed(res, error);
        else next(error);
      }
    })();
  };
  return Object.assign(middleware, {
    of(req: IncomingMessage): RouteContext<Tx> {
      const context = contexts.get(req);
      if (context === undefined) throw new Error('sw-outbox/server: this request did not pass through expressExactlyOnce (mount it before the route)');
      return context;
    },
  });
}

/** The app a request is going through, at its root (a mounted app's `parent`), as a node:http-style app. */
interface ExpressApp {
  handle: NodeApp;
  parent?: ExpressApp;
}

/**
 * Answers a request to the batch URL: each write goes through the Express app from its root, this
 * middleware included, as a request of its own. Without an app to go through (the middleware used
 * outside Express) it answers `501`, which turns the worker's batching off.
 */
async function answerBatch(batch: BatchEndpoint, req: IncomingMessage, res: ServerResponse, problem: ProblemRenderer): Promise<void> {
  let app = (req as IncomingMessage & { app?: ExpressApp }).app;
  while (app?.parent !== undefined) app = app.parent;
  if (app === undefined) return sendResponse(res, problem(problems.batchUnavailable()));
  const root = app;
  let body: Buffer;
  try {
    body = await readNodeBody(req, batch.limits.maxBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return sendResponse(res, batch.tooLarge());
    throw error;
  }
  const dispatch = dispatchThrough((sub, subRes, unhandled) => root.handle(sub, subRes, unhandled), req);
  await sendResponse(res, await batch.answer(toRequest(req, body, originalUrlOf(req)), dispatch));
}

/** Writes the answer the kit settled on, over the headers set before the route ran. */
async function sendAnswer(res: ServerResponse, before: ReturnType<ServerResponse['getHeaders']>, response: Response): Promise<void> {
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  for (const [name, value] of Object.entries(before)) if (value !== undefined) res.setHeader(name, value);
  await sendResponse(res, response);
}

/** Express's `req.originalUrl` (the path before a mount point stripped it), else the URL as it is. */
function originalUrlOf(req: IncomingMessage): string | undefined {
  return (req as IncomingMessage & { originalUrl?: string }).originalUrl;
}

async function rawBodyOf(req: IncomingMessage, limit: number | undefined): Promise<Buffer> {
  const parsed: unknown = (req as IncomingMessage & { body?: unknown }).body;
  if (Buffer.isBuffer(parsed)) return parsed;
  if (req.readableEnded && parsed !== undefined) throw new BodyAlreadyReadError();
  return readNodeBody(req, limit);
}

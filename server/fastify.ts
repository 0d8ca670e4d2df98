import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { batchHeader } from '../protocol/names';
import { batchEndpoint } from './batch';
import type { BatchEndpoint } from './batch';
import { exactlyOnceSingle } from './core';
import type { FetchHandler } from './core';
import { headersOf } from './held-answer';
import { BodyTooLargeError, DEFAULT_MAX_BODY_BYTES, readNodeBody, toRequest } from './node';
import type { ExactlyOnceOptions } from './options';
import { problemJson } from './problem';
import { AnswerNotKept, routeRun } from './route-context';
import type { RouteContext } from './route-context';

export type { RouteContext } from './route-context';

export interface FastifyAdapterOptions {
  /** Largest body accepted (answered 413 above it); default Fastify's own limit for `fastifyRoutes`, 1 MiB for `fastifyExactlyOnce`. */
  maxBodyBytes?: number;
}

/**
 * A Fastify (4 or 5) plugin that serves a Fetch handler (such as one made by `exactlyOnce`) for
 * every method and path under its prefix: `app.register(fastifyRoutes(handler), { prefix: '/api' })`.
 * Inside the plugin every body is read as raw bytes, which the kit fingerprints. To keep the app's
 * own routes, use `fastifyExactlyOnce`.
 */
export function fastifyRoutes(handler: FetchHandler, options: FastifyAdapterOptions = {}): FastifyPluginAsync {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', ...(options.maxBodyBytes === undefined ? {} : { bodyLimit: options.maxBodyBytes }) }, (_request, body, done) => {
      done(null, body);
    });
    const serve = async (request: FastifyRequest, reply: FastifyReply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : undefined;
      return sendFetchResponse(reply, await handler(toRequest(request.raw, body)));
    };
    app.all('/', serve);
    app.all('/*', serve);
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `fastifyExactlyOnce` on the requests it lets through; `kit.of(request)` has it typed. */
    exactlyOnce?: RouteContext<unknown>;
  }
}

/** The plugin `fastifyExactlyOnce` makes, with a typed way to reach a request's context. */
export interface FastifyExactlyOnce<Tx> extends FastifyPluginAsync {
  /** The kit's context of a request it let through (`request.exactlyOnce`, typed with the store's transaction). */
  of(request: FastifyRequest): RouteContext<Tx>;
}

/** Settings of `fastifyExactlyOnce`: the kit's, and the largest body it reads. */
export interface FastifyExactlyOnceOptions<Tx> extends ExactlyOnceOptions<Tx>, FastifyAdapterOptions {}

/** Where one request stands between the hooks. */
interface Passage {
  /** The body's bytes, read for the key's fingerprint (keyed requests only). */
  body?: Buffer;
  /** The headers set before the route ran: the kit's own answers go out with these. */
  before?: Record<string, unknown>;
  /** The route runs: its answer goes to `answered`, and `settled` is what the kit sends. */
  route?: { answered: (response: Response) => void; settled: Promise<Response> };
}

/**
 * Fastify (4 or 5) hooks in front of the app's own routes, as `honoExactlyOnce` is for Hono:
 * `await app.register(fastifyExactlyOnce({ store }))`, then the routes as they were (register it
 * inside a plugin of yours to cover only that plugin's routes). A keyed body is read for its digest
 * before any content-type parser and handed on to it unchanged. The kit claims the key and checks
 * preconditions before the handler (answering replays and its errors itself); the handler runs with
 * `request.exactlyOnce` (or `kit.of(request)`), and the answer it sends is recorded before it goes out.
 * It adds a route for the batch URL (default `/api/$batch`), which sends each write through the app
 * (these hooks included) as a request of its own, with Fastify's `inject`.
 */
export function fastifyExactlyOnce<Tx>(options: FastifyExactlyOnceOptions<Tx>): FastifyExactlyOnce<Tx> {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const problem = options.problem ?? problemJson;
  const passages = new WeakMap<FastifyRequest, Passage>();
  const contexts = new WeakMap<FastifyRequest, RouteContext<Tx>>();
  const passageOf = (request: FastifyRequest): Passage => {
    const passage = passages.get(request) ?? {};
    passages.set(request, passage);
    return passage;
  };

  const batch = batchEndpoint(options.batch, problem);
  const isBatch = (request: FastifyRequest): boolean => batch?.handles(request.url) ?? false;

  const plugin: FastifyPluginAsync = async (app) => {
    if (batch !== undefined) {
      const advertised = batch.advertised;
      app.addHook('onRequest', async (_request, reply) => {
        void reply.header(batchHeader, advertised);
      });
    }
    app.addHook('preParsing', async (request, _reply, payload) => {
      if (request.headers['idempotency-key'] === undefined || isBatch(request)) return payload;
      let body: Buffer;
      try {
        body = await readNodeBody(payload as unknown as import('node:http').IncomingMessage, limit);
      } catch (error) {
        if (error instanceof BodyTooLargeError) throw Object.assign(error, { statusCode: 413 });
        throw error;
      }
      passageOf(request).body = body;
      // The parser after this hook reads the same bytes; Fastify checks their count against Content-Length.
      return Object.assign(Readable.from([body]), { receivedEncodedLength: body.length });
    });

    app.addHook('preHandler', async (request, reply) => {
      if (isBatch(request)) return;
      const passage = passageOf(request);
      passage.before = { ...reply.getHeaders() };
      let proceed: () => void = () => undefined;
      const proceeding = new Promise<'route'>((resolve) => (proceed = () => resolve('route')));
      let answered: (response: Response) => void = () => undefined;
      const routeAnswer = new Promise<Response>((resolve) => (answered = resolve));
      let sending = false;
      let started: () => void = () => undefined;
      const watch = { started: new Promise<void>((resolve) => (started = resolve)), answer: () => (sending ? routeAnswer : undefined) };
      // Made per request, as its handler is this request's route: `exactlyOnce` itself only gathers settings.
      const run = exactlyOnceSingle<Tx>(async (_request, write) => {
        const route = routeRun(write, watch, problem);
        contexts.set(request, route.context);
        request.exactlyOnce = route.context as RouteContext<unknown>;
        const send = reply.send;
        reply.send = function sendAndTell(this: FastifyReply, ...args: Parameters<FastifyReply['send']>) {
          sending = true;
          started();
          return send.apply(this, args);
        };
        proceed();
        return route.settle(await routeAnswer);
      }, options);
      const settled = run(toRequest(request.raw, passage.body, request.url)).catch((error: unknown) => {
        if (error instanceof AnswerNotKept) return error.answer;
        throw error;
      });
      const first = await Promise.race([proceeding, settled]);
      if (first === 'route') {
        passage.route = { answered, settled };
        return;
      }
      // The kit answered without the route (a replay, or one of its errors).
      await sendFetchResponse(reply, first);
      return reply;
    });

    app.addHook('onSend', async (request, reply, payload) => {
      const passage = passages.get(request);
      if (passage?.route === undefined) return payload;
      const { route } = passage;
      passage.route = undefined;
      route.answered(new Response(nullBodyStatus(reply.statusCode) ? null : await bytesOf(payload), { status: reply.statusCode, headers: headersOf(reply.getHeaders() as Record<string, string>) }));
      const response = await route.settled;
      reply.removeHeader('content-length');
      for (const name of Object.keys(reply.getHeaders())) reply.removeHeader(name);
      for (const [name, value] of Object.entries(passage.before ?? {})) void reply.header(name, value);
      setHeaders(reply, response);
      void reply.code(response.status);
      return response.body === null ? null : Buffer.from(await response.arrayBuffer());
    });
    // Last, so that the route is registered with every hook above in place.
    if (batch !== undefined) void app.register(batchRoute(batch));
  };
  // Fastify's own convention (what fastify-plugin sets): the hooks reach the routes of the app that registers it.
  Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'sw-outbox exactlyOnce' });
  return Object.assign(plugin, {
    of(request: FastifyRequest): RouteContext<Tx> {
      const context = contexts.get(request);
      if (context === undefined) throw new Error('sw-outbox/server: this request did not pass through fastifyExactlyOnce (register it before the route)');
      return context;
    },
  });
}

/**
 * The batch URL's route, in a plugin of its own so that its body is read as raw bytes whatever the
 * app's content-type parsers are. Each write goes through the whole app with `inject`.
 */
function batchRoute(batch: BatchEndpoint): FastifyPluginAsync {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: batch.limits.maxBytes }, (_request, body, done) => done(null, body));
    app.route({
      method: ['POST', 'OPTIONS', 'GET', 'PUT', 'PATCH', 'DELETE'],
      url: batch.path,
      handler: async (request, reply) => {
        const body = Buffer.isBuffer(request.body) ? request.body : undefined;
        const answer = await batch.answer(toRequest(request.raw, body, request.url), (write) => injected(app, write, request.raw.socket.remoteAddress));
        return sendFetchResponse(reply, answer);
      },
    });
  };
}

/** A request sent through the whole Fastify app with `inject`, and its answer as a Fetch Response. */
async function injected(app: FastifyInstance, request: Request, remoteAddress: string | undefined): Promise<Response> {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => (headers[name] = value));
  const body = Buffer.from(await request.arrayBuffer());
  const answer = await app.inject({
    method: request.method as 'POST',
    url: url.pathname + url.search,
    headers,
    ...(body.length === 0 ? {} : { payload: body }),
    ...(remoteAddress === undefined ? {} : { remoteAddress }),
  });
  const answerHeaders = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) answerHeaders.append(name, String(one));
  }
  return new Response(nullBodyStatus(answer.statusCode) ? null : new Uint8Array(answer.rawPayload), { status: answer.statusCode, headers: answerHeaders });
}

/** Statuses whose responses cannot carry a body. */
function nullBodyStatus(status: number): boolean {
  return [101, 103, 204, 205, 304].includes(status);
}

/** The bytes of a payload as an onSend hook gets it (serialized: string, Buffer, stream, or nothing). */
async function bytesOf(payload: unknown): Promise<Uint8Array<ArrayBuffer> | null> {
  if (payload === null || payload === undefined) return null;
  if (typeof payload === 'string') return new TextEncoder().encode(payload);
  if (payload instanceof Uint8Array) return new Uint8Array(payload);
  const chunks: Buffer[] = [];
  for await (const chunk of payload as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
  return new Uint8Array(Buffer.concat(chunks));
}

/** Puts a Fetch Response's headers on a reply (Set-Cookie as a list). */
function setHeaders(reply: FastifyReply, response: Response): void {
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') void reply.header(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) void reply.header('set-cookie', cookies);
}

/** Sends a Fetch Response as the reply. */
async function sendFetchResponse(reply: FastifyReply, response: Response): Promise<FastifyReply> {
  void reply.code(response.status);
  setHeaders(reply, response);
  return reply.send(response.body === null ? undefined : Buffer.from(await response.arrayBuffer()));
}

// @vitest-environment node
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import express4 from 'express4';
import Fastify from 'fastify';
import Fastify4 from 'fastify4';
import { Hono } from 'hono';
import { Hono as Hono40 } from 'hono4-0';
import { exactlyOnce } from '../../server';
import { expressExactlyOnce, expressHandler } from '../../server/express';
import { fastifyExactlyOnce, fastifyRoutes } from '../../server/fastify';
import { honoExactlyOnce } from '../../server/hono';
import type { ExactlyOnceEnv } from '../../server/hono';
import { nodeHandler } from '../../server/node';
import { conformanceSuite, routesSuite } from './conformance';
import { itemsApp } from './items-app';
import type { RunningApp } from './conformance';
import { expressItemsRoutes } from './express-items';
import { fastifyItemsRoutes } from './fastify-items';
import type { ItemsApp } from './items-app';

/** Listens on a free loopback port with a node:http listener. */
function listen(listener: Parameters<typeof createServer>[1] & object): Promise<RunningApp> {
  const server = createServer(listener);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

conformanceSuite('node:http', (app) => listen(nodeHandler(exactlyOnce(app.handler, app.options))));

/** A keyed POST over node:http: its status, framing headers and body as they came off the wire. */
function postRaw(url: string, key: string, body: string): Promise<{ status: number; length: string | undefined; chunked: boolean; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL('api/items', url), { method: 'POST', headers: { 'Idempotency-Key': key, 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, length: res.headers['content-length'], chunked: res.headers['transfer-encoding'] === 'chunked', body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('answers the kit holds the bytes of (node:http, Express)', () => {
  it('go out with their Content-Length, not chunked: a first answer and its replay', async () => {
    for (const serve of [(app: ItemsApp) => listen(nodeHandler(exactlyOnce(app.handler, app.options))), (app: ItemsApp) => listen(express().use('/api', expressHandler(exactlyOnce(app.handler, app.options))))]) {
      const running = await serve(itemsApp());
      for (const answer of [await postRaw(running.url, '"len-1"', '{"text":"a"}'), await postRaw(running.url, '"len-1"', '{"text":"a"}')]) {
        expect(answer.status).toBe(201);
        expect([answer.chunked, answer.length]).toEqual([false, String(Buffer.byteLength(answer.body))]);
      }
      await running.close();
    }
  });
});

for (const [name, framework] of [['Express 5', express], ['Express 4', express4]] as const) {
  conformanceSuite(`${name} handler`, (app) => {
    const server = framework();
    server.use('/api', expressHandler(exactlyOnce(app.handler, app.options)));
    return listen(server);
  });

  /** The items as the app's own Express routes, behind the kit's middleware (mounted on /api) and a CORS header. */
  const withRoutes = (app: ItemsApp) => {
    const server = framework();
    server.use((_req, res, next) => {
      res.setHeader('Access-Control-Allow-Origin', '*');
      next();
    });
    const kit = expressExactlyOnce(app.options);
    server.use('/api', kit);
    expressItemsRoutes(server, framework, app, (req) => kit.of(req));
    return listen(server);
  };
  conformanceSuite(`${name} middleware`, withRoutes);
  routesSuite(`${name} middleware`, withRoutes);
}

for (const [name, framework] of [['Fastify 5', Fastify], ['Fastify 4', Fastify4 as unknown as typeof Fastify]] as const) {
  /** Listens on a free loopback port once the app is ready. */
  const listenFastify = async (server: ReturnType<typeof Fastify>): Promise<RunningApp> => {
    const url = await server.listen({ port: 0, host: '127.0.0.1' });
    return { url: `${url}/`, close: () => server.close() };
  };
  conformanceSuite(`${name} routes`, async (app) => {
    const server = framework();
    await server.register(fastifyRoutes(exactlyOnce(app.handler, app.options)), { prefix: '/api' });
    return listenFastify(server);
  });

  /** The items as the app's own Fastify routes, behind the kit's hooks and a CORS header. */
  const withRoutes = async (app: ItemsApp) => {
    const server = framework();
    server.addHook('onRequest', async (_request, reply) => {
      void reply.header('Access-Control-Allow-Origin', '*');
    });
    const kit = fastifyExactlyOnce(app.options);
    await server.register(kit);
    fastifyItemsRoutes(server, app, (request) => kit.of(request));
    return listenFastify(server);
  };
  conformanceSuite(`${name} hooks`, withRoutes);
  routesSuite(`${name} hooks`, withRoutes);
}

// Hono 4.0 is the oldest the peer range allows; its types are its own, so it is served as it is.
for (const [name, framework] of [['Hono 4', Hono], ['Hono 4.0', Hono40 as unknown as typeof Hono]] as const) {
  conformanceSuite(name, (app) => {
    const server = new framework<ExactlyOnceEnv<undefined>>();
    server.use('/api/*', honoExactlyOnce({ ...app.options, app: server }));
    server.all('/api/*', (c) => app.handler(c.req.raw, c.get('exactlyOnce')));
    return listen(nodeHandler(async (request) => server.fetch(request)));
  });
}

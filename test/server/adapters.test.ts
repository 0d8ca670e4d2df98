// @vitest-environment node
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { exactlyOnce } from '../../server';
import { expressHandler } from '../../server/express';
import { fastifyRoutes } from '../../server/fastify';
import { honoExactlyOnce } from '../../server/hono';
import type { ExactlyOnceEnv } from '../../server/hono';
import { nodeHandler } from '../../server/node';
import { conformanceSuite } from './conformance';
import type { RunningApp } from './conformance';

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

conformanceSuite('Express 5', (app) => {
  const server = express();
  server.use('/api', expressHandler(exactlyOnce(app.handler, app.options)));
  return listen(server);
});

conformanceSuite('Fastify 5', async (app) => {
  const server = Fastify();
  await server.register(fastifyRoutes(exactlyOnce(app.handler, app.options)), { prefix: '/api' });
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  return { url: `${url}/`, close: () => server.close() };
});

conformanceSuite('Hono 4', (app) => {
  const server = new Hono<ExactlyOnceEnv<undefined>>();
  server.use('/api/*', honoExactlyOnce(app.options));
  server.all('/api/*', (c) => app.handler(c.req.raw, c.get('exactlyOnce')));
  return listen(nodeHandler(async (request) => server.fetch(request)));
});

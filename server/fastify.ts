import type { FastifyPluginAsync } from 'fastify';
import type { FetchHandler } from './core';
import { toRequest } from './node';

export interface FastifyAdapterOptions {
  /** Largest body accepted (Fastify answers 413 above it); default Fastify's own limit. */
  maxBodyBytes?: number;
}

/**
 * A Fastify 5 plugin that serves a Fetch handler (such as one made by `exactlyOnce`) for every
 * method and path under its prefix: `app.register(fastifyRoutes(handler), { prefix: '/api' })`.
 * Inside the plugin every body is read as raw bytes, which the kit fingerprints.
 */
export function fastifyRoutes(handler: FetchHandler, options: FastifyAdapterOptions = {}): FastifyPluginAsync {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', ...(options.maxBodyBytes === undefined ? {} : { bodyLimit: options.maxBodyBytes }) }, (_request, body, done) => {
      done(null, body);
    });
    const serve = async (request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : undefined;
      const response = await handler(toRequest(request.raw, body));
      reply.code(response.status);
      response.headers.forEach((value, name) => {
        if (name !== 'set-cookie') void reply.header(name, value);
      });
      const cookies = response.headers.getSetCookie();
      if (cookies.length > 0) void reply.header('set-cookie', cookies);
      return reply.send(response.body === null ? undefined : Buffer.from(await response.arrayBuffer()));
    };
    app.all('/', serve);
    app.all('/*', serve);
  };
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteContext } from '../../server/fastify';
import type { ItemAnswer, ItemsApp } from './items-app';

/** Sends an item's answer the Fastify way. */
function send(reply: FastifyReply, answer: ItemAnswer): FastifyReply {
  return reply.code(answer.status).header('ETag', answer.etag).send(answer.body);
}

/**
 * The items app as ordinary Fastify routes behind `fastifyExactlyOnce`, with Fastify's own JSON and
 * text parsers and a raw one for other types: creates answer outside a transaction, edits inside
 * the kit's one. `/api/late` answers after its transaction, which the kit refuses.
 */
export function fastifyItemsRoutes(server: FastifyInstance, app: ItemsApp, contextOf: (request: FastifyRequest) => RouteContext<undefined>): void {
  server.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  server.post('/api/echo', async (request) => app.digest(Buffer.isBuffer(request.body) ? request.body : new TextEncoder().encode(JSON.stringify(request.body))));
  server.get<{ Params: { id: string } }>('/api/items/:id', async (request, reply) => {
    const found = app.read(request.params.id);
    return found === undefined ? reply.code(404).send({ error: 'not found' }) : send(reply, found);
  });
  server.post<{ Body: { text: string }; Querystring: { slowMs?: string } }>('/api/items', async (request, reply) =>
    send(reply, await app.create(request.body.text, Number(request.query.slowMs ?? 0))),
  );
  server.patch<{ Params: { id: string }; Body: { text: string } }>('/api/items/:id', async (request, reply) =>
    contextOf(request).transaction(async () => {
      const edited = app.edit(request.params.id, request.body.text);
      return edited === undefined ? reply.code(404).send({ error: 'not found' }) : send(reply, edited);
    }),
  );
  server.post<{ Body: string }>('/api/late', async (request, reply) => {
    const text = await contextOf(request).transaction(async () => request.body);
    return reply.code(201).send({ text });
  });
}

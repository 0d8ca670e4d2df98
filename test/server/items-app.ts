import { createHash } from 'node:crypto';
import { memoryStore, strongETag } from '../../server';
import type { ExactlyOnceHandler, ExactlyOnceOptions } from '../../server';

/** An item's answer, as any framework sends it: status, ETag and JSON body. */
export interface ItemAnswer {
  status: number;
  etag: string;
  body: { id: string; text: string; version: number };
}

/**
 * The items every adapter serves in the conformance suite, and the kit's options for them: POST
 * /api/items creates (a key is required), PATCH /api/items/:id edits under If-Match, POST /api/echo
 * answers the SHA-256 of the body it got. `handler` serves them as a Fetch handler; the routes of
 * other frameworks (express-items.ts, fastify-items.ts) call `create`, `edit`, `read` and `digest`.
 */
export function itemsApp() {
  const items = new Map<string, { text: string; version: number }>();
  let applied = 0;
  const answerOf = (id: string, status: number): ItemAnswer => {
    const item = items.get(id)!;
    return { status, etag: strongETag(item.version), body: { id, ...item } };
  };
  const responseOf = (answer: ItemAnswer): Response => Response.json(answer.body, { status: answer.status, headers: { ETag: answer.etag } });
  const create = async (text: string, slowMs: number): Promise<ItemAnswer> => {
    await new Promise((resolve) => setTimeout(resolve, slowMs));
    applied += 1;
    const created = String(items.size + 1);
    items.set(created, { text, version: 1 });
    return answerOf(created, 201);
  };
  /** The edited item's answer, or undefined when there is no such item. */
  const edit = (id: string, text: string): ItemAnswer | undefined => {
    const item = items.get(id);
    if (item === undefined) return undefined;
    applied += 1;
    items.set(id, { text, version: item.version + 1 });
    return answerOf(id, 200);
  };
  const read = (id: string): ItemAnswer | undefined => (items.has(id) ? answerOf(id, 200) : undefined);
  const digest = (bytes: Uint8Array) => ({ sha256: createHash('sha256').update(bytes).digest('hex') });
  const handler: ExactlyOnceHandler<undefined> = async (request) => {
    const url = new URL(request.url);
    const id = /^\/api\/items\/([^/]+)$/.exec(url.pathname)?.[1];
    if (url.pathname === '/api/echo') return Response.json(digest(new Uint8Array(await request.arrayBuffer())));
    if (request.method === 'GET' && id !== undefined) {
      const found = read(id);
      return found === undefined ? Response.json({ error: 'not found' }, { status: 404 }) : responseOf(found);
    }
    const text = ((await request.json()) as { text: string }).text;
    if (request.method === 'POST' && url.pathname === '/api/items') return responseOf(await create(text, Number(url.searchParams.get('slowMs') ?? 0)));
    const edited = id === undefined ? undefined : edit(id, text);
    return edited === undefined ? Response.json({ error: 'not found' }, { status: 404 }) : responseOf(edited);
  };
  const options: ExactlyOnceOptions<undefined> = {
    store: memoryStore(),
    keys: (request) => (request.method === 'POST' && new URL(request.url).pathname === '/api/items' ? 'required' : 'optional'),
    conditions: (request) => {
      const id = /^\/api\/items\/([^/]+)$/.exec(new URL(request.url).pathname)?.[1];
      if (id === undefined) return undefined;
      return {
        load: async () => (items.has(id) ? { version: items.get(id)!.version, representation: () => responseOf(answerOf(id, 200)) } : null),
      };
    },
  };
  return { handler, options, create, edit, read, digest, applied: () => applied };
}

export type ItemsApp = ReturnType<typeof itemsApp>;

import { createHash } from 'node:crypto';
import { memoryStore, strongETag } from '../../server';
import type { ExactlyOnceHandler, ExactlyOnceOptions } from '../../server';

/**
 * The app every adapter serves in the conformance suite: POST /api/items creates (after `?slowMs`),
 * PATCH /api/items/:id edits under If-Match, POST /api/echo answers the SHA-256 of the body it got.
 */
export function itemsApp() {
  const items = new Map<string, { text: string; version: number }>();
  let applied = 0;
  const represent = (id: string, status: number): Response => {
    const item = items.get(id)!;
    return Response.json({ id, ...item }, { status, headers: { ETag: strongETag(item.version) } });
  };
  const handler: ExactlyOnceHandler<undefined> = async (request) => {
    const url = new URL(request.url);
    const id = /^\/api\/items\/([^/]+)$/.exec(url.pathname)?.[1];
    if (url.pathname === '/api/echo') {
      return Response.json({ sha256: createHash('sha256').update(new Uint8Array(await request.arrayBuffer())).digest('hex') });
    }
    await new Promise((resolve) => setTimeout(resolve, Number(url.searchParams.get('slowMs') ?? 0)));
    const text = ((await request.json()) as { text: string }).text;
    applied += 1;
    if (request.method === 'POST' && url.pathname === '/api/items') {
      const created = String(items.size + 1);
      items.set(created, { text, version: 1 });
      return represent(created, 201);
    }
    const item = id === undefined ? undefined : items.get(id);
    if (id === undefined || item === undefined) return Response.json({ error: 'not found' }, { status: 404 });
    items.set(id, { text, version: item.version + 1 });
    return represent(id, 200);
  };
  const options: ExactlyOnceOptions<undefined> = {
    store: memoryStore(),
    keys: (request) => (request.method === 'POST' && new URL(request.url).pathname === '/api/items' ? 'required' : 'optional'),
    conditions: (request) => {
      const id = /^\/api\/items\/([^/]+)$/.exec(new URL(request.url).pathname)?.[1];
      if (id === undefined) return undefined;
      return {
        load: async () => {
          const item = items.get(id);
          return item === undefined ? null : { version: item.version, representation: () => represent(id, 200) };
        },
      };
    },
  };
  return { handler, options, applied: () => applied };
}

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchContentType, decodeBatchAnswer, encodeBatch } from '../../server';
import type { BatchResult, BatchWrite } from '../../server';
import { itemsApp } from './items-app';

/** A server built with one adapter around `itemsApp`, listening on loopback. */
export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

/**
 * An items app served with `start` for the describe block it is called in (started before its
 * tests, closed after), and `send`, a request to it over real HTTP (JSON unless told otherwise).
 */
function servedApp(start: (app: ReturnType<typeof itemsApp>) => Promise<RunningApp>) {
  const app = itemsApp();
  let server: RunningApp;
  beforeAll(async () => {
    server = await start(app);
  });
  afterAll(async () => {
    await server.close();
    await app.options.store.close();
  });
  const send = (method: string, path: string, body: string | Uint8Array<ArrayBuffer> | undefined, headers: Record<string, string> = {}) =>
    fetch(new URL(path, server.url), { method, headers: { 'Content-Type': 'application/json', ...headers }, ...(body === undefined ? {} : { body }) });
  return { app, send, url: () => server.url };
}

/** The same small suite for every adapter: real HTTP against an app built with it. */
export function conformanceSuite(adapter: string, start: (app: ReturnType<typeof itemsApp>) => Promise<RunningApp>): void {
  describe(`${adapter} adapter`, () => {
    const { app, send, url } = servedApp(start);

    it('creates once and replays the same answer for the same key', async () => {
      const first = await send('POST', '/api/items', '{"text":"a"}', { 'Idempotency-Key': '"c-1"' });
      expect(first.status).toBe(201);
      const body = await first.text();
      const again = await send('POST', '/api/items', '{"text":"a"}', { 'Idempotency-Key': '"c-1"' });
      expect([again.status, again.headers.get('idempotent-replayed'), again.headers.get('etag')]).toEqual([201, 'true', '"1"']);
      expect(await again.text()).toBe(body);
      expect(app.applied()).toBe(1);
    });

    it('answers 422, 400 and 409 as problem+json', async () => {
      const reused = await send('POST', '/api/items', '{"text":"b"}', { 'Idempotency-Key': '"c-1"' });
      expect([reused.status, reused.headers.get('content-type')]).toEqual([422, 'application/problem+json']);
      expect((await send('POST', '/api/items', '{"text":"b"}')).status).toBe(400);
      expect((await send('POST', '/api/items', '{"text":"b"}', { 'Idempotency-Key': 'not quoted' })).status).toBe(400);
      const slow = send('POST', '/api/items?slowMs=300', '{"text":"s"}', { 'Idempotency-Key': '"c-2"' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const running = await send('POST', '/api/items?slowMs=300', '{"text":"s"}', { 'Idempotency-Key': '"c-2"' });
      expect([running.status, running.headers.get('retry-after')]).toEqual([409, '1']);
      expect((await slow).status).toBe(201);
      expect(app.applied()).toBe(2);
    });

    it('checks If-Match before the handler: 412 with the current item, weak tags never match', async () => {
      const stale = await send('PATCH', '/api/items/1', '{"text":"x"}', { 'If-Match': '"0"' });
      expect([stale.status, stale.headers.get('etag')]).toEqual([412, '"1"']);
      expect(await stale.json()).toMatchObject({ id: '1', text: 'a' });
      expect((await send('PATCH', '/api/items/1', '{"text":"x"}', { 'If-Match': 'W/"1"' })).status).toBe(412);
      const ok = await send('PATCH', '/api/items/1', '{"text":"x"}', { 'If-Match': '"1"' });
      expect([ok.status, ok.headers.get('etag')]).toEqual([200, '"2"']);
    });

    it('refuses a body over the limit with 413, before the handler', async () => {
      const before = app.applied();
      const res = await send('POST', '/api/items', `{"text":"${'x'.repeat(1_100_000)}"}`, { 'Idempotency-Key': '"c-big"' });
      expect(res.status).toBe(413);
      expect(app.applied()).toBe(before);
    });

    it('hands the handler the body byte for byte', async () => {
      const bytes = new Uint8Array([0, 255, 10, 13, 128, 1]);
      const res = await send('POST', '/api/echo', bytes, { 'Content-Type': 'application/octet-stream', 'Idempotency-Key': '"c-3"' });
      expect(await res.json()).toEqual({ sha256: createHash('sha256').update(bytes).digest('hex') });
    });

    batchSuite(url, app);
  });
}

/** A write of a batch with a JSON body. */
function jsonWrite(id: string, method: string, url: string, body: unknown, headers: Record<string, string> = {}): BatchWrite {
  return { id, method, url, headers: { 'Content-Type': 'application/json', ...headers }, body: new TextEncoder().encode(JSON.stringify(body)) };
}

/** The batch URL's answers on an adapter whose items are where `itemsApp` left them after the suite above. */
function batchSuite(url: () => string, app: ReturnType<typeof itemsApp>): void {
  const postBatch = (body: string, headers: Record<string, string> = {}) =>
    fetch(new URL('/api/$batch', url()), { method: 'POST', headers: { 'Content-Type': batchContentType, ...headers }, body });
  const results = async (res: Response): Promise<BatchResult[]> => {
    expect([res.status, res.headers.get('content-type')]).toEqual([200, batchContentType]);
    return decodeBatchAnswer(await res.text());
  };
  const json = (result: BatchResult | undefined): unknown => JSON.parse(new TextDecoder().decode(result?.body));
  const binary = new Uint8Array(Array.from({ length: 256 }, (_, i) => i));
  // Item 1 is at version 2 ("x") here. Its two edits pass only when applied in the order given.
  const writes: BatchWrite[] = [
    jsonWrite('create', 'POST', '/api/items', { text: 'batched' }, { 'Idempotency-Key': '"b-1"' }),
    jsonWrite('stale', 'PATCH', '/api/items/1', { text: 'lost' }, { 'Idempotency-Key': '"b-2"', 'If-Match': '"1"' }),
    jsonWrite('edit', 'PATCH', '/api/items/1', { text: 'y' }, { 'Idempotency-Key': '"b-3"', 'If-Match': '"2"' }),
    jsonWrite('edit-again', 'PATCH', '/api/items/1', { text: 'z' }, { 'Idempotency-Key': '"b-4"', 'If-Match': '"3"' }),
    { id: 'bytes', method: 'POST', url: '/api/echo', headers: { 'Content-Type': 'application/octet-stream', 'Idempotency-Key': '"b-5"' }, body: binary },
    jsonWrite('no-key', 'POST', '/api/items', { text: 'refused' }),
    jsonWrite('own-credentials', 'POST', '/api/echo', {}, { Authorization: 'Bearer someone-else' }),
  ];
  let first: BatchResult[] = [];

  it('applies the writes of a batch in order, each as if it had come alone; one failing fails no other', async () => {
    const before = app.applied();
    first = await results(await postBatch(encodeBatch(writes)));
    expect(first.map((result) => [result.id, result.status])).toEqual([
      ['create', 201],
      ['stale', 412],
      ['edit', 200],
      ['edit-again', 200],
      ['bytes', 200],
      ['no-key', 400],
      ['own-credentials', 400],
    ]);
    // The 412 carries the representation the write met, with its ETag, for the worker to merge against.
    expect([first[1]!.headers.etag, json(first[1])]).toEqual(['"2"', { id: '1', text: 'x', version: 2 }]);
    expect([first[3]!.headers.etag, json(first[3])]).toEqual(['"4"', { id: '1', text: 'z', version: 4 }]);
    expect(json(first[4])).toEqual({ sha256: createHash('sha256').update(binary).digest('hex') });
    expect(first[5]!.headers['content-type']).toBe('application/problem+json');
    expect(app.applied() - before).toBe(3);
  });

  it('replays every stored answer when the same batch comes again, applying nothing twice', async () => {
    const before = app.applied();
    const again = await results(await postBatch(encodeBatch(writes)));
    for (const [index, result] of again.slice(0, 5).entries()) {
      expect([result.id, result.status, result.headers['idempotent-replayed'], [...result.body]]).toEqual([first[index]!.id, first[index]!.status, 'true', [...first[index]!.body]]);
    }
    expect(app.applied()).toBe(before);
  });

  it('names the batch URL on its answers and on OPTIONS; other methods are 405', async () => {
    const plain = await fetch(new URL('/api/items/1', url()));
    expect(plain.headers.get('outbox-batch')).toBe('</api/$batch>');
    const options = await fetch(new URL('/api/$batch', url()), { method: 'OPTIONS' });
    expect([options.status, options.headers.get('outbox-batch')]).toEqual([204, '</api/$batch>']);
    expect((await fetch(new URL('/api/$batch', url()))).status).toBe(405);
  });

  it('refuses a batch over its limits with 413, applying nothing; and one that is not a batch with 400 or 415', async () => {
    const before = app.applied();
    const many = Array.from({ length: 101 }, (_, i) => jsonWrite(`w${i}`, 'POST', '/api/items', { text: 'many' }, { 'Idempotency-Key': `"many-${i}"` }));
    const tooMany = await postBatch(encodeBatch(many));
    expect([tooMany.status, tooMany.headers.get('content-type')]).toEqual([413, 'application/problem+json']);
    expect(await tooMany.json()).toMatchObject({ status: 413, maxWrites: 100, maxBytes: 1024 * 1024 });
    const big = [jsonWrite('big', 'POST', '/api/items', { text: 'x'.repeat(1_100_000) }, { 'Idempotency-Key': '"big"' })];
    expect((await postBatch(encodeBatch(big))).status).toBe(413);
    expect((await postBatch('{"requests":"no"}')).status).toBe(400);
    expect((await postBatch(encodeBatch([]), { 'Content-Type': 'text/plain' })).status).toBe(415);
    expect(app.applied()).toBe(before);
  });
}

/**
 * More of the suite, for adapters that put the kit in front of the app's own routes (Express's and
 * Fastify's middleware, Hono's): the routes parse bodies themselves, may use the kit's transaction,
 * and run behind a middleware that sets `Access-Control-Allow-Origin: *` before the kit.
 */
export function routesSuite(adapter: string, start: (app: ReturnType<typeof itemsApp>) => Promise<RunningApp>): void {
  describe(`${adapter} in front of the app's own routes`, () => {
    const { app, send } = servedApp(start);

    it("records the answer a route sends inside the kit's transaction, and replays it", async () => {
      expect((await send('POST', '/api/items', '{"text":"a"}', { 'Idempotency-Key': '"r-1"' })).status).toBe(201);
      const edit = () => send('PATCH', '/api/items/1', '{"text":"b"}', { 'Idempotency-Key': '"r-2"', 'If-Match': '"1"' });
      const first = await edit();
      expect([first.status, first.headers.get('etag')]).toEqual([200, '"2"']);
      const firstBody = await first.text();
      const again = await edit();
      expect([again.status, again.headers.get('idempotent-replayed'), again.headers.get('etag'), await again.text()]).toEqual([200, 'true', '"2"', firstBody]);
      expect(app.applied()).toBe(2);
    });

    it('lets requests without a key, and reads, through to the routes untouched', async () => {
      const read = await send('GET', '/api/items/1', undefined);
      expect([read.status, ((await read.json()) as { text: string }).text]).toEqual([200, 'b']);
      const bytes = '{"not":"keyed"}';
      expect(await (await send('POST', '/api/echo', bytes)).json()).toEqual(app.digest(new TextEncoder().encode(bytes)));
    });

    it("keeps the headers set before the kit on the kit's own answers", async () => {
      const reused = await send('POST', '/api/items', '{"text":"other"}', { 'Idempotency-Key': '"r-1"' });
      expect([reused.status, reused.headers.get('access-control-allow-origin')]).toEqual([422, '*']);
      const replayed = await send('POST', '/api/items', '{"text":"a"}', { 'Idempotency-Key': '"r-1"' });
      expect([replayed.headers.get('idempotent-replayed'), replayed.headers.get('access-control-allow-origin')]).toEqual(['true', '*']);
    });

    it('refuses an answer sent after the transaction, and runs the retry again', async () => {
      const late = () => send('POST', '/api/late', 'x', { 'Idempotency-Key': '"r-3"', 'Content-Type': 'text/plain' });
      expect((await late()).status).toBe(500);
      const retry = await late();
      expect([retry.status, retry.headers.get('idempotent-replayed')]).toEqual([500, null]);
    });
  });
}

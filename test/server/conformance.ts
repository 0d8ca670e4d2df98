import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemsApp } from './items-app';

/** A server built with one adapter around `itemsApp`, listening on loopback. */
export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

/** The same small suite for every adapter: real HTTP against an app built with it. */
export function conformanceSuite(adapter: string, start: (app: ReturnType<typeof itemsApp>) => Promise<RunningApp>): void {
  describe(`${adapter} adapter`, () => {
    const app = itemsApp();
    let server: RunningApp;
    const send = (method: string, path: string, body: string | Uint8Array<ArrayBuffer> | undefined, headers: Record<string, string> = {}) =>
      fetch(new URL(path, server.url), { method, headers: { 'Content-Type': 'application/json', ...headers }, ...(body === undefined ? {} : { body }) });

    beforeAll(async () => {
      server = await start(app);
    });
    afterAll(async () => {
      await server.close();
      await app.options.store.close();
    });

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
  });
}

/**
 * More of the suite, for adapters that put the kit in front of the app's own routes (Express's and
 * Fastify's middleware, Hono's): the routes parse bodies themselves, may use the kit's transaction,
 * and run behind a middleware that sets `Access-Control-Allow-Origin: *` before the kit.
 */
export function routesSuite(adapter: string, start: (app: ReturnType<typeof itemsApp>) => Promise<RunningApp>): void {
  describe(`${adapter} in front of the app's own routes`, () => {
    const app = itemsApp();
    let server: RunningApp;
    const send = (method: string, path: string, body: string | undefined, headers: Record<string, string> = {}) =>
      fetch(new URL(path, server.url), { method, headers: { 'Content-Type': 'application/json', ...headers }, ...(body === undefined ? {} : { body }) });

    beforeAll(async () => {
      server = await start(app);
    });
    afterAll(async () => {
      await server.close();
      await app.options.store.close();
    });

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

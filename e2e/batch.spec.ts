// Batch replay (docs/protocol.md, Batch replay) against the demo server, which runs on the server
// kit and so answers batches by itself: writes queued offline reach it a batch at a time, each
// applied once and settled as if it had come alone.
import { test, expect, type BrowserContext, type Page } from '@playwright/test';
import { DemoServer, openDropIn, type ServerTodo } from './demo';
import { nextEvent, pageFetch, waitForDrain } from '../testing';
import { startServer } from '../fixtures/server';
import { decodeBatch } from '../protocol/batch';

let server: DemoServer;

test.beforeEach(async ({ request }) => {
  server = new DemoServer(request);
  await server.reset();
});

const json = { 'Content-Type': 'application/json' };
const isBatch = (url: string) => new URL(url).pathname === '/api/$batch';

/** Counts the batch requests the worker sends from now on, and keeps the URLs of the writes in each. */
function countBatches(context: BrowserContext): { readonly count: number; readonly writes: string[][] } {
  const seen = { count: 0, writes: [] as string[][] };
  context.on('request', (request) => {
    if (!isBatch(request.url())) return;
    seen.count++;
    seen.writes.push(decodeBatch(request.postData() ?? '').map((write) => new URL(write.url).pathname));
  });
  return seen;
}

/** The drop-in page, after one write online: its answer names the server's batch URL. */
async function openTaught(page: Page): Promise<ServerTodo[]> {
  await openDropIn(page);
  const created = await pageFetch(page, '/api/todos', { method: 'POST', headers: json, body: JSON.stringify({ title: 'first' }) });
  expect([created.status, created.headers['outbox-batch']]).toEqual([201, '</api/$batch>']);
  return server.todos();
}

/** Each write the server applied carried a key of its own: none was applied twice. */
async function appliedOnce(): Promise<void> {
  // Writes made past the worker (another user's, in setup) carry no key.
  const keys = (await server.writes()).map((write) => write.idempotencyKey).filter((key) => key !== null);
  expect(new Set(keys).size).toBe(keys.length);
}

test('200 writes queued offline drain in a handful of batch requests, each applied once, each resource in order', async ({ page, context }) => {
  await openTaught(page);
  const todos = await Promise.all(Array.from({ length: 19 }, (_, i) => server.create(`todo ${i}`)));
  const ids = [(await server.todos())[0]!.id, ...todos.map((todo) => todo.id)];
  await context.setOffline(true);
  const statuses = await page.evaluate(async (ids) => {
    const answers = [];
    for (let round = 1; round <= 10; round++) {
      for (const id of ids) answers.push((await fetch(`/api/todos/${id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ title: `round ${round}` }) })).status);
    }
    return answers;
  }, ids);
  expect(statuses).toEqual(Array(200).fill(202));
  const batches = countBatches(context);
  await context.setOffline(false);
  await waitForDrain(page, { timeout: 60_000 });
  const patches = (await server.writes()).filter((write) => write.method === 'PATCH');
  expect(patches).toHaveLength(200);
  expect(patches.every((write) => write.status === 200)).toBe(true);
  await appliedOnce();
  expect((await server.todos()).every((todo) => todo.title === 'round 10')).toBe(true);
  // One write per resource per batch: 20 lanes ten deep take ten rounds.
  expect(batches.count).toBeGreaterThanOrEqual(10);
  expect(batches.count).toBeLessThanOrEqual(20);
});

test('a batch whose answer is lost after the server applied it is sent again; each write is applied once', async ({ page, context }) => {
  await openTaught(page);
  const others = await Promise.all(['a', 'b', 'c'].map((title) => server.create(title)));
  await context.setOffline(true);
  for (const todo of others) expect((await pageFetch(page, `/api/todos/${todo.id}`, { method: 'PATCH', headers: json, body: JSON.stringify({ done: true }) })).status).toBe(202);
  await server.faults({ cutAfterApply: 2 });
  const batches = countBatches(context);
  await context.setOffline(false);
  await waitForDrain(page, { timeout: 60_000 });
  // Both cuts were met (Chromium may itself send a POST again once when a kept-alive connection
  // is reset; the second cut then reaches the worker), and the worker sent the batch again.
  expect(await server.faults()).toEqual({});
  expect(batches.count).toBeGreaterThanOrEqual(2);
  const patches = (await server.writes()).filter((write) => write.method === 'PATCH');
  expect(patches).toHaveLength(3);
  await appliedOnce();
  expect((await server.todos()).filter((todo) => todo.done).map((todo) => todo.title).sort()).toEqual(['a', 'b', 'c']);
});

test('a 412 inside a batch goes through its conflict strategy while the others confirm', async ({ page, context, request }) => {
  await openTaught(page);
  const [changed, untouched] = await Promise.all([server.create('base'), server.create('plain')]);
  // The page reads the item, so the worker knows its version; then someone else changes another field.
  expect((await pageFetch(page, `/api/todos/${changed!.id}`, { method: 'GET' })).status).toBe(200);
  await context.setOffline(true);
  expect((await pageFetch(page, `/api/todos/${changed!.id}`, { method: 'PATCH', headers: json, body: JSON.stringify({ title: 'mine' }) })).status).toBe(202);
  expect((await pageFetch(page, `/api/todos/${untouched!.id}`, { method: 'PATCH', headers: json, body: JSON.stringify({ done: true }) })).status).toBe(202);
  expect((await request.patch(`/api/todos/${changed!.id}`, { data: { notes: 'theirs' } })).status()).toBe(200);
  const conflict = await nextEvent(page, 'conflict');
  const batches = countBatches(context);
  await context.setOffline(false);
  expect(await conflict.received).toMatchObject({ status: 412, waiting: false });
  await waitForDrain(page, { timeout: 60_000 });
  expect(batches.count).toBeGreaterThanOrEqual(1);
  expect(await server.todos()).toEqual(expect.arrayContaining([
    expect.objectContaining({ id: changed!.id, title: 'mine', notes: 'theirs' }),
    expect.objectContaining({ id: untouched!.id, done: true }),
  ]));
});

test('FormData with a file and a binary Blob arrive byte for byte through a batch', async ({ page, context, request }) => {
  await openTaught(page);
  const [forForm, forBlob] = await Promise.all([server.create('form'), server.create('blob')]);
  await context.setOffline(true);
  const sent = await page.evaluate(async (ids) => {
    const file = new Blob([new Uint8Array([0, 1, 2, 128, 250, 255])], { type: 'image/x-test' });
    const form = new FormData();
    form.append('caption', 'holiday ü');
    form.append('file', file, 'photo.bin');
    const results = [];
    for (const [id, body] of [[ids[0], form], [ids[1], file]] as const) {
      const request = new Request(`/api/todos/${id}/attachments`, { method: 'POST', body });
      const bytes = new Uint8Array(await request.clone().arrayBuffer());
      const response = await fetch(request);
      results.push({ status: response.status, contentType: request.headers.get('content-type'), base64: btoa(String.fromCharCode(...bytes)) });
    }
    return results;
  }, [forForm!.id, forBlob!.id]);
  expect(sent.map((body) => body.status)).toEqual([202, 202]);
  const batches = countBatches(context);
  await context.setOffline(false);
  await waitForDrain(page);
  expect(batches.writes).toContainEqual([`/api/todos/${forForm!.id}/attachments`, `/api/todos/${forBlob!.id}/attachments`]);
  const stored = [];
  for (const id of [1, 2]) stored.push((await (await request.get(`/api/attachments/${id}`)).json()) as { contentType: string; base64: string });
  expect(stored.map((body) => `${body.contentType} ${body.base64}`).sort()).toEqual(sent.map((body) => `${body.contentType} ${body.base64}`).sort());
});

test('a server that does not speak batch: every write goes alone, and nothing fails', async ({ page, context }) => {
  const plain = await startServer(['fixtures/outbox-app', 'dist']);
  try {
    await page.goto(`${plain.origin}/`);
    await expect(page.locator('body[data-controlled="true"]')).toBeAttached();
    plain.unreachable = true;
    for (let i = 0; i < 5; i++) expect((await pageFetch(page, `/api/notes/${i}`, { method: 'PUT', headers: json, body: JSON.stringify({ i }) })).status).toBe(202);
    const batches = countBatches(context);
    plain.unreachable = false;
    await expect.poll(() => plain.writes.length, { timeout: 30_000 }).toBe(5);
    expect(batches.count).toBe(0);
    expect(plain.writes.map((write) => write.path).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `/api/notes/${i}`));
  } finally {
    await plain.close();
  }
});

import { test, expect } from '@playwright/test';
import { DemoServer, card, openBoard, openDropIn, renameCard } from './demo';
import { outboxStatus, pageFetch, pageXhr, waitForDrain } from '../testing';

let server: DemoServer;

test.beforeEach(async ({ request }) => {
  server = new DemoServer(request);
  await server.reset();
});

test("ten offline edits of one item are all accepted: each is based on the version the one before got", async ({ page, context }) => {
  const item = await server.create('draft');
  await openDropIn(page);
  await context.setOffline(true);
  for (let i = 1; i <= 10; i++) {
    // The page knows version 1 only, as an app would while offline.
    const answer = await pageFetch(page, `/api/todos/${item.id}`, {
      method: 'PATCH', headers: { 'Content-Type': 'application/json', 'If-Match': '"1"' }, body: JSON.stringify({ title: `edit ${i}`, done: i % 2 === 0 }),
    });
    expect(answer.status).toBe(202);
  }
  await context.setOffline(false);
  await waitForDrain(page);
  const writes = (await server.writes()).slice(1);
  expect(writes.map((write) => write.status)).toEqual(Array(10).fill(200));
  expect(writes.map((write) => JSON.parse(write.body).title)).toEqual(Array.from({ length: 10 }, (_, i) => `edit ${i + 1}`));
  expect(await server.todos()).toMatchObject([{ id: item.id, title: 'edit 10', done: true, version: 11 }]);
});

test('temporary ids with an XHR client: creates, edits and deletes of new items reach the server with real ids, across a reload', async ({ page, context }) => {
  await openDropIn(page);
  await context.setOffline(true);
  const a = await pageXhr(page, 'POST', '/api/todos', { title: 'A' });
  expect(a.status).toBe(202);
  expect(a.headers['outbox-status']).toBe('queued');
  const tempA = (a.json as { id: string }).id;
  expect(tempA).toMatch(/^tmp-/);
  expect(a.headers['location']).toBe(`http://127.0.0.1:${new URL(page.url()).port}/api/todos/${tempA}`);
  expect((await pageXhr(page, 'PATCH', `/api/todos/${tempA}`, { title: 'A1' })).status).toBe(202);
  expect((await pageXhr(page, 'PATCH', `/api/todos/${tempA}`, { done: true })).status).toBe(202);
  expect((await pageXhr(page, 'DELETE', `/api/todos/${tempA}`)).status).toBe(202);
  const b = await pageXhr(page, 'POST', '/api/todos', { title: 'B' });
  const tempB = (b.json as { id: string }).id;
  expect((await pageXhr(page, 'PATCH', `/api/todos/${tempB}`, { title: 'B1' })).status).toBe(202);

  // Back online, but the server is briefly unavailable: the creates wait, and the page reloads meanwhile.
  await server.faults({ fail: { count: 2, status: 503, retryAfter: '2' } });
  await context.setOffline(false);
  await expect.poll(async () => (await server.faults()) as unknown, { timeout: 10_000 }).toEqual({});
  await page.reload();
  await page.evaluate(() => window.outbox.ready.then(() => undefined));
  expect((await outboxStatus(page)).pending).toBe(6);
  await waitForDrain(page);

  // The mapping was announced and is kept in the history a reloaded page reads.
  const history = await page.evaluate(() => window.outbox.history());
  const realIds = Object.fromEntries(history.flatMap((event) => (event.type === 'idmap' ? [[event.tempId, event.realId]] : [])));
  const [idA, idB] = [realIds[tempA], realIds[tempB]];
  expect([idA, idB].sort()).toEqual([1, 2]);

  // Each new item's lane went in order, to its real URL; the two lanes ran side by side.
  const writes = (await server.writes()).map((write) => `${write.method} ${write.path} ${write.status}`);
  expect(writes.filter((write) => write.startsWith('POST'))).toEqual(['POST /api/todos 201', 'POST /api/todos 201']);
  expect(writes.filter((write) => write.includes(`/todos/${idA} `))).toEqual([
    `PATCH /api/todos/${idA} 200`, `PATCH /api/todos/${idA} 200`, `DELETE /api/todos/${idA} 204`,
  ]);
  expect(writes.filter((write) => write.includes(`/todos/${idB} `))).toEqual([`PATCH /api/todos/${idB} 200`]);
  expect(await server.todos()).toMatchObject([{ id: idB, title: 'B1' }]);

  // Requests the page still makes to a temporary URL go to the real one.
  const patched = await pageXhr(page, 'PATCH', `/api/todos/${tempB}`, { done: true });
  expect(patched).toMatchObject({ status: 200, json: { id: idB, title: 'B1', done: true } });
  expect(await pageXhr(page, 'GET', `/api/todos/${tempB}`)).toMatchObject({ status: 200, json: { id: idB, done: true } });
});

test('coalescing: a new item created, edited and deleted offline never reaches the server', async ({ page, context }) => {
  await openBoard(page);
  await context.setOffline(true);
  await page.getByTestId('new-title').fill('Ephemeral');
  await page.getByTestId('add').click();
  await renameCard(page, 'Ephemeral', 'Ephemeral, renamed');
  await expect(page.getByTestId('pending-count')).toHaveText('1 pending');
  await card(page, 'Ephemeral, renamed').locator('[data-action="delete"]').click();
  await expect(page.getByTestId('pending-count')).toHaveText('0 pending');
  await expect(page.getByTestId('item')).toHaveCount(0);
  await context.setOffline(false);
  await page.getByTestId('new-title').fill('Real one');
  await page.getByTestId('add').click();
  await expect(card(page, 'Real one')).toHaveAttribute('data-state', 'synced');
  expect((await server.writes()).map((write) => write.body)).toEqual(['{"title":"Real one","done":false}']);
});

test("backoff: a server's 503 with Retry-After is honoured, and the worker's own timer retries within seconds", async ({ page }) => {
  const item = await server.create('retry me');
  await openDropIn(page);
  await server.faults({ fail: { count: 2, status: 503, retryAfter: '1' } });
  const started = Date.now();
  const live = await pageFetch(page, `/api/todos/${item.id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{"done":true}' });
  // A live write that meets a retryable failure is answered at once, as queued.
  expect(live.status).toBe(202);
  expect(live.headers['outbox-status']).toBe('queued');
  await expect.poll(async () => (await server.todos())[0]?.done, { timeout: 15_000, intervals: [100] }).toBe(true);
  const elapsed = Date.now() - started;
  expect(elapsed).toBeGreaterThanOrEqual(2000);
  expect(elapsed).toBeLessThan(10_000);
  const retrying = (await page.evaluate(() => window.outbox.history())).filter((event) => event.type === 'retrying');
  expect(retrying.map((event) => event.type === 'retrying' && event.reason)).toEqual(['HTTP 503', 'HTTP 503']);
});

test('a write the server refuses is dead-lettered: kept, visible, and the app can retry or discard it', async ({ page, context }) => {
  const item = await server.create('valid');
  await openDropIn(page);
  await context.setOffline(true);
  await pageFetch(page, `/api/todos/${item.id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{"title":""}' });
  await pageFetch(page, `/api/todos/${item.id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{"done":true}' });
  const rejected = page.evaluate(() => new Promise((resolve) => window.outbox.on('rejected', resolve)));
  await context.setOffline(false);
  expect(await rejected).toMatchObject({ type: 'rejected', status: 422, reason: 'rejected', body: { error: expect.any(String) } });
  await waitForDrain(page);
  const queue = await page.evaluate(() => window.outbox.list());
  expect(queue.map((entry) => [entry.state, entry.reason, entry.lastStatus, entry.lastResponse, entry.json])).toEqual([
    ['dead', 'rejected', 422, { error: 'title must be a non-empty string' }, { title: '' }],
    ['dead', 'cascade', null, null, { done: true }],
  ]);
  expect((await outboxStatus(page)).dead).toBe(2);
  // The later write was made on top of the refused one; the app decides: send it anyway, drop the other.
  expect(await page.evaluate((id) => window.outbox.retry(id), queue[1]!.id)).toBe(true);
  await expect.poll(async () => (await server.todos())[0]?.done).toBe(true);
  expect(await page.evaluate((id) => window.outbox.discard(id), queue[0]!.id)).toBe(true);
  expect(await page.evaluate(() => window.outbox.list())).toEqual([]);
});

test('pause and resume replay from the page', async ({ page }) => {
  await openDropIn(page);
  await page.evaluate(() => window.outbox.pause());
  const answer = await pageFetch(page, '/api/todos', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"title":"later"}' });
  expect(answer.status).toBe(202);
  await page.waitForTimeout(500);
  expect(await server.writes()).toHaveLength(0);
  expect(await outboxStatus(page)).toMatchObject({ paused: true, pending: 1 });
  await page.evaluate(() => window.outbox.resume());
  await waitForDrain(page);
  expect((await server.todos()).map((todo) => todo.title)).toEqual(['later']);
});

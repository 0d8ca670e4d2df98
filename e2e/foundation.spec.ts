import { test, expect } from '@playwright/test';
import { DemoServer, card, openBoard, renameCard, renameElsewhere } from './demo';
import { outboxStatus, pageFetch, stopServiceWorkers, waitForDrain } from '../testing';

let server: DemoServer;

test.beforeEach(async ({ request }) => {
  server = new DemoServer(request);
  await server.reset();
});

test('online, a write passes through the worker unchanged', async ({ page }) => {
  await openBoard(page);
  const direct = await server.create('direct');

  const viaWorker = await pageFetch(page, '/api/todos', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ title: 'through the worker' }),
  });
  expect(viaWorker.status).toBe(201);
  expect(viaWorker.headers['outbox-status']).toBeUndefined();
  expect(viaWorker.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(viaWorker.headers['location']).toBe(`/api/todos/${direct.id + 1}`);
  expect(viaWorker.headers['etag']).toBe('"1"');
  expect(JSON.parse(viaWorker.text)).toMatchObject({ id: direct.id + 1, title: 'through the worker', done: false, version: 1 });

  // An XMLHttpRequest goes the same way; a refusal reaches the page as the server sent it, and a
  // stale version goes through the board's conflict strategy (merge) to its final answer.
  const xhr = await page.evaluate(async (id) => {
    const send = (method: string, body: unknown, ifMatch?: string) =>
      new Promise<{ status: number; body: string; etag: string | null }>((resolve) => {
        const request = new XMLHttpRequest();
        request.open(method, `/api/todos/${id}`);
        request.setRequestHeader('Content-Type', 'application/json');
        if (ifMatch) request.setRequestHeader('If-Match', ifMatch);
        request.onload = () => resolve({ status: request.status, body: request.responseText, etag: request.getResponseHeader('ETag') });
        request.send(JSON.stringify(body));
      });
    return { ok: await send('PATCH', { done: true }), stale: await send('PATCH', { title: 'late' }, '"1"'), invalid: await send('PATCH', { title: '' }) };
  }, direct.id + 1);
  expect(xhr.ok).toMatchObject({ status: 200, etag: '"2"' });
  expect(JSON.parse(xhr.ok.body)).toMatchObject({ done: true, version: 2 });
  expect(xhr.stale.status).toBe(200);
  expect(JSON.parse(xhr.stale.body)).toMatchObject({ title: 'late', done: true, version: 3 });
  expect(xhr.invalid).toMatchObject({ status: 422, body: '{"error":"title must be a non-empty string"}' });

  // Every write the worker took carried an Idempotency-Key; the direct one did not.
  const writes = await server.writes();
  expect(writes.map((write) => write.idempotencyKey === null)).toEqual([true, false, false, false]);
  expect(new Set(writes.map((write) => write.idempotencyKey)).size).toBe(4);
  expect((await outboxStatus(page)).pending).toBe(0);
});

test('offline, writes answer at once, survive a reload, and reach the server once, in order', async ({ page, context }) => {
  await server.create('Buy milk');
  await openBoard(page);
  await expect(card(page, 'Buy milk')).toHaveAttribute('data-state', 'synced');

  await context.setOffline(true);
  const answers: { status: number; fromWorker: boolean }[] = [];
  page.on('response', (response) => {
    if (response.request().method() !== 'GET') answers.push({ status: response.status(), fromWorker: response.fromServiceWorker() });
  });
  await page.getByTestId('new-title').fill('Offline idea');
  await page.getByTestId('add').click();
  await renameCard(page, 'Buy milk', 'Buy oat milk');
  await card(page, 'Buy oat milk').locator('[data-action="toggle"]').check();
  await renameCard(page, 'Buy oat milk', 'Buy soy milk');

  // The three edits of one item wait as one write (coalesced), the create as another.
  await expect(page.getByTestId('pending-count')).toHaveText('2 pending');
  await expect(card(page, 'Offline idea')).toHaveAttribute('data-state', 'pending');
  await expect(card(page, 'Buy soy milk')).toHaveAttribute('data-state', 'pending');
  await expect(page.getByTestId('done-list').getByText('Buy soy milk')).toBeVisible();
  // The page shows each change before its answer comes: wait for the four answers themselves.
  await expect.poll(() => answers.length).toBe(4);
  expect(answers).toEqual(Array(4).fill({ status: 202, fromWorker: true }));
  expect(await server.writes()).toHaveLength(1);

  // Reload while offline: the page comes from the demo worker's cache, the writes from IndexedDB.
  await page.reload();
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  await expect(page.getByTestId('pending-count')).toHaveText('2 pending');
  await expect(card(page, 'Offline idea')).toHaveAttribute('data-state', 'pending');
  await expect(card(page, 'Buy soy milk')).toHaveAttribute('data-state', 'pending');

  await context.setOffline(false);
  await expect(page.getByTestId('pending-count')).toHaveText('0 pending');
  await expect(card(page, 'Offline idea')).toHaveAttribute('data-state', 'synced');
  await expect(card(page, 'Buy soy milk')).toHaveAttribute('data-state', 'synced');

  const writes = (await server.writes()).slice(1);
  expect(writes.map((write) => write.method).sort()).toEqual(['PATCH', 'POST']);
  // Later edits win over earlier ones: they were applied in the order the user made them.
  expect(JSON.parse(writes.find((write) => write.method === 'PATCH')!.body)).toEqual({ title: 'Buy soy milk', done: true });
  expect(new Set(writes.map((write) => write.idempotencyKey)).size).toBe(2);
  const todos = await server.todos();
  expect(todos.map(({ title, done }) => ({ title, done }))).toEqual([
    { title: 'Buy soy milk', done: true },
    { title: 'Offline idea', done: false },
  ]);
  // The board shows the server's ids now, not temporary ones.
  const keys = await page.getByTestId('item').evaluateAll((items) => items.map((item) => item.getAttribute('data-key')));
  expect(keys.sort()).toEqual(todos.map((todo) => String(todo.id)).sort());
});

test('the worker stopped in the middle of a replay of 50 writes: each reaches the server exactly once', async ({ page, context }) => {
  await openBoard(page);
  await server.faults({ delayMs: 150 });
  await context.setOffline(true);
  const statuses = await page.evaluate(async () => {
    const posts = Array.from({ length: 50 }, (_, index) =>
      fetch('/api/todos', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ title: `bulk ${index}` }) }),
    );
    return (await Promise.all(posts)).map((response) => response.status);
  });
  expect(statuses).toEqual(Array(50).fill(202));
  await expect(page.getByTestId('pending-count')).toHaveText('50 pending');

  await context.setOffline(false);
  await expect.poll(async () => (await server.writes()).length, { timeout: 20_000, intervals: [50] }).toBeGreaterThanOrEqual(10);
  const before = (await server.writes()).length;
  await stopServiceWorkers(page);
  expect(before).toBeLessThan(50);

  // Nobody reloads: the page's client wakes the worker, which finishes the replay.
  await expect.poll(async () => (await server.writes()).length, { timeout: 30_000 }).toBe(50);
  await server.faults({});
  await waitForDrain(page);
  await expect(page.getByTestId('pending-count')).toHaveText('0 pending');

  const titles = (await server.todos()).map((todo) => todo.title).sort();
  expect(titles).toEqual(Array.from({ length: 50 }, (_, index) => `bulk ${index}`).sort());
  const keys = (await server.writes()).map((write) => write.idempotencyKey);
  expect(new Set(keys).size).toBe(50);
  await expect(page.getByTestId('item')).toHaveCount(50);
});

test('conflict: an offline edit of an item changed meanwhile elsewhere is rolled back in the UI', async ({ page, context, browser }) => {
  const shared = await server.create('Shared item');
  await openBoard(page);
  // This story is the board's server-wins mode: the user's change is taken back and they are told.
  await page.getByTestId('conflict-strategy').selectOption('server-wins');
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  await expect(card(page, 'Shared item')).toHaveAttribute('data-state', 'synced');

  await context.setOffline(true);
  await renameCard(page, 'Shared item', 'Mine, offline');
  await expect(card(page, 'Mine, offline')).toHaveAttribute('data-state', 'pending');

  // Someone else, in another browser context with its own worker, changes the same item.
  await renameElsewhere(browser, 'Shared item', 'Theirs');

  // Listening before the network returns (an evaluate that is not awaited may run after the event).
  await page.evaluate(() => {
    (window as unknown as { conflict: Promise<unknown> }).conflict = new Promise((resolve) => window.outbox.on('conflict', resolve));
  });
  await context.setOffline(false);
  const conflict = page.evaluate(() => (window as unknown as { conflict: Promise<unknown> }).conflict);
  expect(await conflict).toMatchObject({ type: 'conflict', status: 412, dropped: true, lostFields: ['title'], server: { title: 'Theirs' } });
  await expect(card(page, 'Theirs')).toHaveAttribute('data-state', 'conflict');
  await expect(card(page, 'Mine, offline')).toHaveCount(0);
  await expect(page.getByTestId('notice').first()).toContainText("the server's version wins");
  await expect(page.getByTestId('pending-count')).toHaveText('0 pending');
  expect((await server.todos()).find((todo) => todo.id === shared.id)?.title).toBe('Theirs');
});

import { test, expect, type Page } from '@playwright/test';
import { DemoServer, card, openBoard, openDropIn, pagesKept, renameCard } from './demo';
import { pageFetch, readDatabase, useSettings, waitForDrain } from '../testing';

// Offline reads: the app opens offline, and every read shows the user's pending writes laid over
// what the worker kept (or what the server answers while they wait).

let server: DemoServer;

test.beforeEach(async ({ request }) => {
  server = new DemoServer(request);
  await server.reset();
});

const json = { 'Content-Type': 'application/json' };

/** A GET from the page through its worker; `null` when the fetch itself failed (nothing could answer). */
function read(page: Page, url: string) {
  return page.evaluate(async (url) => {
    try {
      const response = await fetch(url);
      const text = await response.text();
      return { status: response.status, headers: Object.fromEntries(response.headers), json: text ? (JSON.parse(text) as unknown) : null };
    } catch {
      return null;
    }
  }, url);
}

async function addCard(page: Page, title: string): Promise<void> {
  await page.getByTestId('new-title').fill(title);
  await page.getByTestId('add').click();
  await expect(card(page, title)).toHaveAttribute('data-state', 'pending');
}

test('the board, reloaded offline twice, shows the saved card with its edit and the cards added offline; online, each write lands once', async ({ page, context }) => {
  await server.create('Saved card');
  await openBoard(page);
  await expect(card(page, 'Saved card')).toHaveAttribute('data-state', 'synced');

  await context.setOffline(true);
  await addCard(page, 'Offline one');
  await addCard(page, 'Offline two');
  await renameCard(page, 'Saved card', 'Saved, edited offline');
  await expect(card(page, 'Saved, edited offline')).toHaveAttribute('data-state', 'pending');

  for (let reload = 1; reload <= 2; reload++) {
    await page.reload();
    await expect(page.locator('body[data-ready="true"]')).toBeAttached();
    for (const title of ['Saved, edited offline', 'Offline one', 'Offline two']) {
      await expect(card(page, title)).toHaveAttribute('data-state', 'pending');
    }
    await expect(page.getByTestId('item')).toHaveCount(3);
    await expect(page.getByTestId('offline-banner')).toBeVisible();
  }

  await context.setOffline(false);
  await waitForDrain(page);
  // Different cards go in parallel: the order they land in is the network's.
  expect((await server.todos()).map((todo) => todo.title).sort()).toEqual(['Offline one', 'Offline two', 'Saved, edited offline']);
  expect((await server.writes()).slice(1).map((write) => `${write.method} ${write.status}`).sort()).toEqual(['PATCH 200', 'POST 201', 'POST 201']);
  for (const title of ['Saved, edited offline', 'Offline one', 'Offline two']) await expect(card(page, title)).toHaveAttribute('data-state', 'synced');
  await expect(page.getByTestId('item')).toHaveCount(3);
  await expect(page.getByTestId('offline-banner')).toBeHidden();
});

const plainTodo = (page: Page, title: string) => page.locator('#todos li', { has: page.locator('.title', { hasText: new RegExp(`^${title}$`) }) });

test('the plain jQuery page, visited once online and never reloaded online, opens offline with its pending changes; edits made there reach the server', async ({ page, context }) => {
  await server.create('existing');
  await server.create('to delete');
  await page.goto('/plain/');
  await page.evaluate(() => window.outbox.ready.then(() => undefined));
  await expect(plainTodo(page, 'existing')).toBeVisible();
  // What the first visit loaded before the worker controlled the page is handed to it and kept.
  await pagesKept(page, ['/plain/', '/plain/app.js', '/plain/jquery.min.js', '/outbox.js']);
  // So is its list (read again by the worker, or by the page's next refresh through it).
  await expect
    .poll(async () => ((await readDatabase(page, 'sw-outbox', ['reads']))?.reads ?? []).map((read) => (read.value as { url: string }).url))
    .toContain(new URL('/api/todos', page.url()).href);

  await context.setOffline(true);
  await page.fill('#title', 'made offline');
  await page.click('#add button');
  await expect(plainTodo(page, 'made offline')).toBeVisible();
  await plainTodo(page, 'existing').locator('.toggle').check();
  await expect(plainTodo(page, 'existing')).toHaveClass(/done/);

  await page.reload();
  await expect(plainTodo(page, 'made offline')).toBeVisible();
  await expect(plainTodo(page, 'existing')).toHaveClass(/done/);
  // The list read is the worker's kept copy with the two pending writes laid over it.
  const list = await read(page, '/api/todos?_=1');
  expect(list?.headers).toMatchObject({ 'outbox-status': 'offline', 'outbox-overlaid': '2' });
  expect(list?.json).toMatchObject([{ title: 'existing', done: true }, { title: 'to delete' }, { title: 'made offline', id: expect.stringMatching(/^tmp-/) }]);

  await plainTodo(page, 'made offline').locator('.rename').click();
  await page.fill('.rename-input', 'made offline, renamed');
  await page.press('.rename-input', 'Enter');
  await expect(plainTodo(page, 'made offline, renamed')).toBeVisible();
  await plainTodo(page, 'to delete').locator('.delete').click();
  await expect(plainTodo(page, 'to delete')).toHaveCount(0);

  await context.setOffline(false);
  await waitForDrain(page);
  expect((await server.todos()).map(({ title, done }) => ({ title, done }))).toEqual([
    { title: 'existing', done: true },
    { title: 'made offline, renamed', done: false },
  ]);
  // Each change applied once: one create, one delete (the rename rides on the create, or follows
  // it, depending on whether the worker had tried the create before it came).
  const methods = (await server.writes()).slice(2).map((write) => write.method);
  expect(methods.filter((method) => method === 'POST')).toHaveLength(1);
  expect(methods.filter((method) => method === 'DELETE')).toHaveLength(1);
});

test('online, while the server answers a write 503, a refetch of its collection still shows the change', async ({ page }) => {
  const item = await server.create('before');
  await openDropIn(page);
  await server.faults({ fail: { count: 100, status: 503 } });
  const write = await pageFetch(page, `/api/todos/${item.id}`, { method: 'PATCH', headers: json, body: JSON.stringify({ title: 'after' }) });
  expect(write.status).toBe(202);
  const list = await read(page, '/api/todos');
  expect(list).toMatchObject({ status: 200, headers: { 'outbox-overlaid': '1' }, json: [{ id: item.id, title: 'after' }] });
  expect(list?.headers['outbox-status']).toBeUndefined();
  expect((await read(page, `/api/todos/${item.id}`))?.json).toMatchObject({ title: 'after' });
  await server.faults({});
  await waitForDrain(page);
  expect((await server.todos()).map((todo) => todo.title)).toEqual(['after']);
});

test("partitions: offline, user B never sees what user A's reads kept", async ({ page, context }) => {
  await server.create("alice's item");
  await openDropIn(page);
  await page.evaluate(() => window.outbox.setPartition('alice'));
  expect((await read(page, '/api/todos'))?.status).toBe(200);
  await page.evaluate(() => window.outbox.setPartition('bob'));
  await context.setOffline(true);
  expect(await read(page, '/api/todos')).toBeNull();
  await page.evaluate(() => window.outbox.setPartition('alice'));
  expect(await read(page, '/api/todos')).toMatchObject({ headers: { 'outbox-status': 'offline' }, json: [{ title: "alice's item" }] });
  // Signing out clears what alice's reads kept too.
  await page.evaluate(() => window.outbox.clear('alice'));
  expect(await read(page, '/api/todos')).toBeNull();
});

test('a no-store answer is not kept; beyond the byte cap the least recently used read goes first', async ({ page, context }) => {
  const padding = 'x'.repeat(150);
  const [a, b, c] = [await server.create(`a ${padding}`), await server.create(`b ${padding}`), await server.create(`c ${padding}`)];
  // Room for two of the three items, as the server answers them.
  const itemBytes = JSON.stringify((await server.todos())[0]).length;
  await openDropIn(page);
  await useSettings(page, { coalesce: false, maxKeptBytes: Math.round(itemBytes * 2.5) });
  await server.faults({ readCacheControl: 'no-store' });
  expect((await read(page, '/api/todos'))?.status).toBe(200);
  await server.faults({});
  for (const item of [a, b, c]) expect((await read(page, `/api/todos/${item.id}`))?.status).toBe(200);

  await context.setOffline(true);
  expect(await read(page, '/api/todos')).toBeNull();
  expect(await read(page, `/api/todos/${a.id}`)).toBeNull();
  for (const item of [b, c]) expect(await read(page, `/api/todos/${item.id}`)).toMatchObject({ status: 200, headers: { 'outbox-status': 'offline' } });
});

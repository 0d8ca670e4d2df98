import { test, expect, type APIRequestContext, type Page } from '@playwright/test';
import { DemoServer, openDropIn, type ServerTodo } from './demo';
import { nextEvent, pageFetch, useSettings, waitForDrain } from '../testing';

let server: DemoServer;

test.beforeEach(async ({ request }) => {
  server = new DemoServer(request);
  await server.reset();
});

const json = { 'Content-Type': 'application/json' };

/** The page reads the item (the worker learns its version and representation), then edits it offline. */
async function editOffline(page: Page, item: ServerTodo, change: Record<string, unknown>): Promise<void> {
  expect((await pageFetch(page, `/api/todos/${item.id}`, { method: 'GET' })).status).toBe(200);
  await page.context().setOffline(true);
  expect((await pageFetch(page, `/api/todos/${item.id}`, { method: 'PATCH', headers: json, body: JSON.stringify(change) })).status).toBe(202);
}

/** Someone else changes the item on the server meanwhile. */
async function changeElsewhere(item: ServerTodo, change: Record<string, unknown>, request: APIRequestContext): Promise<void> {
  expect((await request.patch(`/api/todos/${item.id}`, { data: change })).status()).toBe(200);
}

/**
 * The whole conflict story: the page edits the item offline, someone else changes it meanwhile,
 * the page reconnects. Resolves with the conflict event the page receives.
 */
async function meetConflict(page: Page, request: APIRequestContext, item: ServerTodo, mine: Record<string, unknown>, theirs: Record<string, unknown>) {
  await editOffline(page, item, mine);
  await changeElsewhere(item, theirs, request);
  const conflict = await nextEvent(page, 'conflict');
  await page.context().setOffline(false);
  return conflict.received;
}

test('merge: changes to different fields of one item both stand', async ({ page, request }) => {
  const item = await server.create('shared');
  await openDropIn(page);
  await editOffline(page, item, { done: true });
  await changeElsewhere(item, { title: 'renamed elsewhere' }, request);
  const resolved = await nextEvent(page, 'resolved');
  await page.context().setOffline(false);
  expect(await resolved.received).toMatchObject({ how: 'merge' });
  await waitForDrain(page);
  expect(await server.todos()).toMatchObject([{ title: 'renamed elsewhere', done: true, version: 3 }]);
  const statuses = (await server.writes()).slice(1).map((write) => write.status);
  expect(statuses).toEqual([200, 200]);
});

test('merge with overlapping changes waits: every tab is asked with base, mine and theirs, and the answer is sent', async ({ page, request }) => {
  const item = await server.create('base title');
  await openDropIn(page);
  const conflict = meetConflict(page, request, item, { title: 'mine' }, { title: 'theirs' });
  expect(await conflict).toMatchObject({
    waiting: true, dropped: false, overlapping: ['title'], reason: 'overlapping changes',
    base: { title: 'base title' }, local: { title: 'mine' }, server: { title: 'theirs' },
  });
  const [waiting] = await page.evaluate(() => window.outbox.list());
  expect(waiting).toMatchObject({ state: 'conflict', server: { title: 'theirs' }, base: { title: 'base title' } });
  expect(await page.evaluate((id) => window.outbox.resolve(id, { body: { title: 'mine + theirs' } }), waiting!.id)).toBe(true);
  await waitForDrain(page);
  expect(await server.todos()).toMatchObject([{ title: 'mine + theirs' }]);
});

test('manual: the user discards the change; the server keeps its state and the page is told', async ({ page, request }) => {
  const item = await server.create('kept');
  await openDropIn(page);
  await useSettings(page, { conflict: 'manual' });
  const conflict = meetConflict(page, request, item, { done: true }, { notes: 'elsewhere' });
  const asked = await conflict;
  expect(asked).toMatchObject({ waiting: true, reason: 'manual', strategy: 'manual' });
  const rejected = await nextEvent(page, 'rejected');
  expect(await page.evaluate((id) => window.outbox.resolve(id, { discard: true }), asked.id as string)).toBe(true);
  expect(await rejected.received).toMatchObject({ id: asked.id, reason: 'discarded' });
  await waitForDrain(page);
  expect(await server.todos()).toMatchObject([{ title: 'kept', done: false, notes: 'elsewhere' }]);
});

test('last-write-wins: the later change stands, whichever side made it', async ({ page, request }) => {
  const first = await server.create('first');
  const second = await server.create('second');
  await openDropIn(page);
  await useSettings(page, { conflict: 'last-write-wins' });
  // First item: the server's change comes after the offline edit, so the server's state wins.
  await pageFetch(page, `/api/todos/${second.id}`, { method: 'GET' });
  await editOffline(page, first, { title: 'offline edit (older)' });
  await changeElsewhere(first, { title: 'server edit (newer)' }, request);
  // Second item: the server's change came first, the offline edit after: the edit wins.
  await page.context().setOffline(false);
  await waitForDrain(page);
  await changeElsewhere(second, { title: 'server edit (older)' }, request);
  await page.waitForTimeout(20);
  await page.context().setOffline(true);
  await pageFetch(page, `/api/todos/${second.id}`, { method: 'PATCH', headers: json, body: JSON.stringify({ title: 'offline edit (newer)' }) });
  await page.context().setOffline(false);
  await waitForDrain(page);
  expect((await server.todos()).map((todo) => todo.title)).toEqual(['server edit (newer)', 'offline edit (newer)']);
  const events = await page.evaluate(() => window.outbox.history());
  expect(events.filter((event) => event.type === 'conflict').map((event) => event.type === 'conflict' && [event.dropped, event.lostFields])).toEqual([
    [true, ['title']],
    [false, []],
  ]);
});

test('client-wins: the offline change is sent again over the server\'s', async ({ page, request }) => {
  const item = await server.create('item');
  await openDropIn(page);
  await useSettings(page, { conflict: 'client-wins' });
  await editOffline(page, item, { title: 'mine wins' });
  await changeElsewhere(item, { title: 'theirs' }, request);
  await page.context().setOffline(false);
  await waitForDrain(page);
  expect(await server.todos()).toMatchObject([{ title: 'mine wins' }]);
  const keys = (await server.writes()).filter((write) => write.idempotencyKey).map((write) => write.idempotencyKey);
  expect(keys).toHaveLength(1);
});

test('body-field versions: a 409 with the current representation is merged like a 412', async ({ page, request }) => {
  const item = await server.create('fields');
  await openDropIn(page);
  await useSettings(page, { versioning: 'version' });
  const conflict = meetConflict(page, request, item, { done: true }, { notes: 'from elsewhere' });
  expect(await conflict).toMatchObject({ status: 409, waiting: false, dropped: false });
  await waitForDrain(page);
  expect(await server.todos()).toMatchObject([{ done: true, notes: 'from elsewhere', version: 3 }]);
  // The worker put the version in the body itself; the write that was applied carries the server's.
  const sent = (await server.writes()).filter((write) => write.idempotencyKey).map((write) => JSON.parse(write.body));
  expect(sent).toEqual([{ done: true, version: 2 }]);
});

test('server-wins, online: a stale write gets the server\'s 412 as it was sent', async ({ page }) => {
  const item = await server.create('current');
  await openDropIn(page);
  await useSettings(page, { conflict: 'server-wins' });
  await pageFetch(page, `/api/todos/${item.id}`, { method: 'PATCH', headers: json, body: '{"done":true}' });
  const stale = await pageFetch(page, `/api/todos/${item.id}`, { method: 'PATCH', headers: { ...json, 'If-Match': '"1"' }, body: '{"title":"late"}' });
  expect(stale.status).toBe(412);
  expect(stale.headers['etag']).toBe('"2"');
  expect(JSON.parse(stale.text)).toMatchObject({ title: 'current', done: true, version: 2 });
  expect(stale.headers['outbox-status']).toBeUndefined();
});

test('the drop-in takes its settings from a JSON file, attributes winning over it', async ({ page, request }) => {
  const item = await server.create('configured');
  await page.goto('/json-config.html');
  await page.evaluate(() => window.outbox.ready.then(() => undefined));
  const script = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? '');
  expect(JSON.parse(new URL(script).searchParams.get('config') ?? '{}')).toEqual({ routes: ['/api/'], coalesce: false, conflict: 'manual', maxAttempts: 4 });
  const conflict = meetConflict(page, request, item, { done: true }, { notes: 'elsewhere' });
  // `manual` from the file: even a change that would merge waits for a person.
  expect(await conflict).toMatchObject({ strategy: 'manual', waiting: true });
});

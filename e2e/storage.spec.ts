import { test, expect, type Page } from '@playwright/test';
import { DemoServer, openDropIn } from './demo';
import { nextEvent, outboxStatus, pageFetch, waitForDrain, workerAnswers } from '../testing';

let server: DemoServer;

test.beforeEach(async ({ request }) => {
  server = new DemoServer(request);
  await server.reset();
});

const patch = (page: Page, id: number, body: Record<string, unknown>) =>
  pageFetch(page, `/api/todos/${id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

test('the log deleted under the worker: tabs are told which writes went; later writes queue and replay as before', async ({ page, context }) => {
  const item = await server.create('deleted log');
  await openDropIn(page);
  await context.setOffline(true);
  const told = await nextEvent(page, 'rejected');
  expect((await patch(page, item.id, { title: 'gone with the log' })).status).toBe(202);
  // What a user does with "Delete database" in devtools, or an app with indexedDB.deleteDatabase.
  await page.evaluate(() => new Promise((resolve, reject) => Object.assign(indexedDB.deleteDatabase('sw-outbox'), { onsuccess: resolve, onerror: reject })));
  expect(await told.received).toMatchObject({ type: 'rejected', reason: 'deleted', resource: expect.stringContaining(`/api/todos/${item.id}`), lostFields: ['title'] });
  expect((await outboxStatus(page)).pending).toBe(0);

  expect((await patch(page, item.id, { done: true })).status).toBe(202);
  await context.setOffline(false);
  await waitForDrain(page);

  // Site data cleared by the browser closes the worker's connection: the next write opens it again.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.clearDataForOrigin', { origin: new URL(page.url()).origin, storageTypes: 'indexeddb' });
  await context.setOffline(true);
  expect((await patch(page, item.id, { notes: 'after clearing' })).status).toBe(202);
  await context.setOffline(false);
  await waitForDrain(page);

  const writes = (await server.writes()).slice(1);
  expect(writes.map((write) => JSON.parse(write.body))).toEqual([{ done: true }, { notes: 'after clearing' }]);
  expect(await server.todos()).toMatchObject([{ title: 'deleted log', done: true, notes: 'after clearing' }]);
});

test('an old tab holding the log during its upgrade: writes pass through online, are refused out loud offline, and queue again once it lets go', async ({ context }) => {
  const item = await server.create('blocked log');
  const oldTab = await context.newPage();
  await oldTab.goto('/no-outbox.html');
  // The log as an older version left it (schema 2), held open by a tab deaf to `versionchange`.
  await oldTab.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const opening = indexedDB.open('sw-outbox', 2);
        opening.onupgradeneeded = () => {
          const db = opening.result;
          const entries = db.createObjectStore('entries', { keyPath: 'seq', autoIncrement: true });
          entries.createIndex('id', 'id', { unique: true });
          entries.createIndex('lane', 'lane');
          entries.createIndex('state', 'state');
          db.createObjectStore('versions', { keyPath: 'resource' });
          db.createObjectStore('idmap', { keyPath: 'tempId' });
          db.createObjectStore('events', { keyPath: 'seq', autoIncrement: true });
          db.createObjectStore('meta');
        };
        opening.onsuccess = () => resolve(void ((window as unknown as { oldLog: IDBDatabase }).oldLog = opening.result));
        opening.onerror = () => reject(opening.error);
      }),
  );

  const page = await context.newPage();
  await openDropIn(page);
  const online = await patch(page, item.id, { title: 'passed through' });
  expect(online.status).toBe(200);
  expect(online.headers['outbox-status']).toBeUndefined();
  await context.setOffline(true);
  const refused = await patch(page, item.id, { title: 'refused' });
  expect(refused.status).toBe(503);
  expect(refused.headers['outbox-error']).toBe('storage-blocked');
  await context.setOffline(false);

  await oldTab.evaluate(() => (window as unknown as { oldLog: IDBDatabase }).oldLog.close());
  await workerAnswers(page);
  await context.setOffline(true);
  expect((await patch(page, item.id, { done: true })).status).toBe(202);
  await context.setOffline(false);
  await waitForDrain(page);

  const writes = (await server.writes()).slice(1);
  expect(writes.map((write) => JSON.parse(write.body))).toEqual([{ title: 'passed through' }, { done: true }]);
  expect(await server.todos()).toMatchObject([{ title: 'passed through', done: true }]);
});

test('the origin\'s storage full: a write that does not fit is refused out loud offline and passed on online; the others are kept', async ({ page, context, baseURL }) => {
  const item = await server.create('full storage');
  // Chromium checks each IndexedDB commit against the origin's quota: shrink it before the log
  // exists (a new log takes about 125 KB here), so small writes fit and one of 400 KB does not.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(baseURL!).origin, quotaSize: 300_000 });
  await openDropIn(page);
  const large = 'x'.repeat(400_000);
  await context.setOffline(true);
  expect((await patch(page, item.id, { title: 'small, before' })).status).toBe(202);
  // Sent together, so the worker may commit them in one batch: the one that fits must not fail with the other.
  const [tooBig, fits] = await Promise.all([patch(page, item.id, { notes: large }), patch(page, item.id, { done: true })]);
  expect([tooBig.status, tooBig.headers['outbox-error']]).toEqual([503, 'storage-full']);
  expect(JSON.parse(tooBig.text)).toMatchObject({ reason: 'storage-full' });
  expect(fits.status).toBe(202);
  expect((await page.evaluate(() => window.outbox.list())).map((entry) => entry.json)).toEqual([{ title: 'small, before' }, { done: true }]);
  await context.setOffline(false);
  await waitForDrain(page);

  const online = await patch(page, item.id, { notes: large });
  expect([online.status, online.headers['outbox-status']]).toEqual([200, undefined]);
  const writes = (await server.writes()).slice(1);
  expect(writes.map((write) => Object.keys(JSON.parse(write.body)))).toEqual([['title'], ['done'], ['notes']]);
  expect(await server.todos()).toMatchObject([{ title: 'small, before', done: true, notes: large }]);
  await cdp.detach();
});

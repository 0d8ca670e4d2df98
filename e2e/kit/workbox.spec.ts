// The kit on an app that does not use sw-outbox: its worker queues writes with Workbox's
// BackgroundSyncPlugin, and the test drives and reads that queue.
import { rmSync } from 'node:fs';
import { test as base, expect, workboxSyncTag, type ServiceWorkerKit } from '../../testing';
import { startServer, type TestServer } from '../../fixtures/server';
import { buildWorker } from '../../fixtures/build';

// The app and its server, for the whole file; every page of a test is on its origin.
const test = base.extend<{ server: TestServer }, { app: TestServer }>({
  app: [
    async ({}, use) => {
      const workerDir = await buildWorker('fixtures/workbox-app/sw.ts', 'sw.js');
      const app = await startServer(['fixtures/workbox-app', workerDir]);
      await use(app);
      await app.close();
      rmSync(workerDir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
  server: async ({ app }, use) => {
    app.writes.length = 0;
    app.refused = 0;
    await use(app);
  },
  baseURL: async ({ app }, use) => use(app.origin),
});

async function openApp(sw: ServiceWorkerKit): Promise<void> {
  await sw.page.goto('/');
  await expect(sw.page.locator('body[data-controlled="true"]')).toBeAttached();
}

/** A write from the page; offline the worker's fetch fails, Workbox queues it and the page sees an error. */
function postNote(sw: ServiceWorkerKit, text: string): Promise<number | 'network error'> {
  return sw.page.evaluate(
    (text) => fetch('/api/notes', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text }) }).then((response) => response.status, () => 'network error' as const),
    text,
  );
}

test('offline writes land in the Workbox queue and go on reconnect', async ({ sw, server }) => {
  await openApp(sw);
  await sw.offline();
  expect(await postNote(sw, 'first')).toBe('network error');
  expect(await postNote(sw, 'second')).toBe('network error');
  const queued = await sw.workboxQueue('notes');
  expect(queued.map((request) => [request.method, new URL(request.url).pathname, request.body])).toEqual([
    ['POST', '/api/notes', '{"text":"first"}'],
    ['POST', '/api/notes', '{"text":"second"}'],
  ]);
  expect(await sw.workboxQueue('other')).toEqual([]);
  expect(server.writes).toEqual([]);
  // Chromium fires a sync that is waiting for the network as soon as it is back.
  await sw.online();
  await expect.poll(() => server.writes.map((write) => write.body)).toEqual(['{"text":"first"}', '{"text":"second"}']);
  await expect.poll(() => sw.workboxQueue('notes')).toEqual([]);
});

test('after a failed sync the browser waits minutes; sync() replays now', async ({ sw, server }) => {
  await openApp(sw);
  server.unreachable = true;
  expect(await postNote(sw, 'while the server is down')).toBe('network error');
  // Online, Chromium fires the sync at once: its replay is cut too, and the write stays queued.
  await expect.poll(() => server.refused).toBe(2);
  await expect.poll(() => sw.workboxQueue('notes')).toHaveLength(1);
  server.unreachable = false;
  await sw.page.waitForTimeout(1_000);
  expect(server.writes).toEqual([]);
  expect(await sw.workboxQueue('notes')).toHaveLength(1);
  await sw.sync(workboxSyncTag('notes'));
  await expect.poll(() => server.writes.map((write) => write.body)).toEqual(['{"text":"while the server is down"}']);
  expect(await sw.workboxQueue('notes')).toEqual([]);
});

test('stop() stops the worker; the next fetch starts a new instance', async ({ sw }) => {
  await openApp(sw);
  const instance = () => sw.page.evaluate(() => fetch('/started').then((response) => response.text()));
  const first = await instance();
  expect(await instance()).toBe(first);
  await sw.stop();
  const second = await instance();
  expect(second).not.toBe(first);
  expect(await postNote(sw, 'after the restart')).toBe(201);
});

test.describe('on a persistent profile', () => {
  test.use({ persistentProfile: true });

  test('relaunch(): the queue and the worker outlive the browser', async ({ sw, server }) => {
    await openApp(sw);
    await sw.offline();
    expect(await postNote(sw, 'before the restart')).toBe('network error');
    expect(await sw.workboxQueue('notes')).toHaveLength(1);
    expect(server.writes).toEqual([]);
    const page = await sw.relaunch();
    expect(page).toBe(sw.page);
    await page.goto('/');
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    // The write was only in the closed browser's profile; Chromium fires the pending sync as it starts again.
    await expect.poll(() => server.writes.map((write) => write.body)).toEqual(['{"text":"before the restart"}']);
    await expect.poll(() => sw.workboxQueue('notes')).toEqual([]);
  });
});

test('relaunch() fails with advice when the test has no persistent profile', async ({ sw }) => {
  await expect(sw.relaunch()).rejects.toThrow('test.use({ persistentProfile: true })');
});

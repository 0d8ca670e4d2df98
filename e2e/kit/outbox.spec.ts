// The kit on sw-outbox's own drop-in worker: the queue read from its log, drained(), and
// stop()/sync() on a page with no client script, where only the browser can wake the worker.
import { test as base, expect, pageFetch, type ServiceWorkerKit } from '../../testing';
import { startServer, type TestServer } from '../../fixtures/server';

const test = base.extend<{ server: TestServer }, { app: TestServer }>({
  app: [
    async ({}, use) => {
      const app = await startServer(['fixtures/outbox-app', 'dist']);
      await use(app);
      await app.close();
    },
    { scope: 'worker' },
  ],
  server: async ({ app }, use) => {
    app.writes.length = 0;
    app.unreachable = false;
    await use(app);
  },
  baseURL: async ({ app }, use) => use(app.origin),
});

async function open(sw: ServiceWorkerKit, path: string): Promise<void> {
  await sw.page.goto(path);
  await expect(sw.page.locator('body[data-controlled="true"]')).toBeAttached();
}

const postNote = (sw: ServiceWorkerKit, text: string) =>
  pageFetch(sw.page, '/api/notes', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text }) });

test('queue() reads the log; drained() fails naming what is left; after stop() only sync() wakes the worker', async ({ sw, server }) => {
  await open(sw, '/');
  server.unreachable = true;
  expect((await postNote(sw, 'kept')).status).toBe(202);
  await expect.poll(async () => (await sw.queue()).map(({ method, state, attempts, lastStatus, body }) => ({ method, state, attempts, lastStatus, body }))).toEqual([
    { method: 'POST', state: 'queued', attempts: 0, lastStatus: null, body: '{"text":"kept"}' },
  ]);
  expect(new URL((await sw.queue())[0]!.url).pathname).toBe('/api/notes');
  await expect(sw.drained({ timeout: 300 })).rejects.toThrow(/did not drain within 300 ms; 1 write\(s\) still queued:\n {2}POST http:\/\/127\.0\.0\.1:\d+\/api\/notes: queued, 0 attempt\(s\)/);

  // The worker's retry timer dies with it, and this page has no client script to nudge it.
  await sw.stop();
  server.unreachable = false;
  await sw.page.waitForTimeout(1_500);
  expect(server.writes).toEqual([]);
  await sw.sync();
  await sw.drained();
  expect(server.writes.map((write) => write.body)).toEqual(['{"text":"kept"}']);
  expect(await sw.queue()).toEqual([]);
});

test('stopped while offline, then back online: the worker runs again and nothing is sent twice', async ({ sw, server }) => {
  await open(sw, '/');
  await sw.offline();
  expect((await postNote(sw, 'offline')).status).toBe(202);
  await sw.stop();
  // Playwright hands the network change to the stopped worker's DevTools session too: online()
  // must neither hang on it nor leave the worker unable to start.
  await sw.online();
  await sw.sync();
  await sw.drained({ timeout: 10_000 });
  expect(server.writes.map((write) => write.body)).toEqual(['{"text":"offline"}']);
});

test('with the drop-in page script: offline writes survive a reload and drain once online', async ({ sw, server }) => {
  await sw.page.goto('/client.html');
  await sw.page.evaluate(() => (window as unknown as { outbox: { ready: Promise<unknown> } }).outbox.ready.then(() => undefined));
  await sw.offline();
  expect((await postNote(sw, 'one')).status).toBe(202);
  expect((await postNote(sw, 'two')).status).toBe(202);
  await sw.page.reload();
  expect((await sw.queue()).map((write) => write.body)).toEqual(['{"text":"one"}', '{"text":"two"}']);
  await sw.online();
  await sw.drained();
  // Two creates are two resources: they may reach the server in either order.
  expect(server.writes.map((write) => write.body).sort()).toEqual(['{"text":"one"}', '{"text":"two"}']);
});

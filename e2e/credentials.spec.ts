import { test, expect, type Page } from '@playwright/test';
import { DemoServer, openDropIn } from './demo';
import { pageFetch, waitForDrain } from '../testing';

let server: DemoServer;

test.beforeEach(async ({ request }) => {
  server = new DemoServer(request);
  await server.reset();
});

/** Everything the worker's database holds, as text, read raw from IndexedDB in the page. */
function rawLog(page: Page): Promise<string> {
  return page.evaluate(
    () =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open('sw-outbox');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const read = db.transaction('entries').objectStore('entries').getAll();
          read.onsuccess = () => {
            const decoder = new TextDecoder();
            resolve(JSON.stringify(read.result, (_key, value: unknown) => (value instanceof ArrayBuffer ? decoder.decode(value) : value)));
            db.close();
          };
        };
      }),
  );
}

const post = (page: Page, title: string, token: string) =>
  pageFetch(page, '/api/todos', { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: token }, body: JSON.stringify({ title }) });

test('credentials never reach IndexedDB; a replay gets fresh ones through the app\'s hook', async ({ page, context }) => {
  await server.faults({ requireAuth: 'Bearer fresh' });
  await openDropIn(page);
  await context.setOffline(true);
  expect((await post(page, 'needs auth', 'Bearer stale-secret')).status).toBe(202);
  const stored = await rawLog(page);
  expect(stored).toContain('needs auth');
  expect(stored).not.toContain('stale-secret');
  expect(stored.toLowerCase()).not.toContain('authorization');

  await page.evaluate(() => window.outbox.provideCredentials(() => ({ Authorization: 'Bearer fresh' })));
  await context.setOffline(false);
  await waitForDrain(page);
  expect((await server.todos()).map((todo) => todo.title)).toEqual(['needs auth']);
});

test('with no page open to supply credentials, the write waits; it goes once a page can', async ({ page, context }) => {
  await server.faults({ requireAuth: 'Bearer fresh' });
  await openDropIn(page);
  await context.setOffline(true);
  await post(page, 'waits for a page', 'Bearer old');
  await page.close();
  // Back online with no page: Background Sync fires, but nobody can supply credentials.
  await context.setOffline(false);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(await server.writes()).toEqual([]);

  const next = await context.newPage();
  await openDropIn(next);
  const [held] = await next.evaluate(() => window.outbox.list());
  expect(held).toMatchObject({ state: 'held', reason: 'no open page to supply credentials' });
  await next.evaluate(() => window.outbox.provideCredentials(() => ({ Authorization: 'Bearer fresh' })));
  await waitForDrain(next);
  expect((await server.todos()).map((todo) => todo.title)).toEqual(['waits for a page']);
});

test('a 401 holds the write until the page has signed in again', async ({ page }) => {
  await openDropIn(page);
  await page.evaluate(() => window.outbox.provideCredentials(() => ({ Authorization: 'Bearer expired' })));
  await server.faults({ requireAuth: 'Bearer renewed' });
  const live = await post(page, 'after sign-in', 'Bearer expired');
  expect(live).toMatchObject({ status: 202, headers: { 'outbox-status': 'held' } });
  await page.evaluate(() => {
    window.outbox.provideCredentials(() => ({ Authorization: 'Bearer renewed' }));
  });
  await waitForDrain(page);
  expect((await server.todos()).map((todo) => todo.title)).toEqual(['after sign-in']);
});

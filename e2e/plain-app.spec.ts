import { test, expect, type Page } from '@playwright/test';
import { DemoServer, pagesKept } from './demo';
import { waitForDrain } from '../testing';

let server: DemoServer;

test.beforeEach(async ({ request }) => {
  server = new DemoServer(request);
  await server.reset();
});

/** What the plain page shows: each todo's title and whether it is done, and its id. */
function shown(page: Page) {
  return page.locator('#todos li').evaluateAll((items) =>
    items.map((item) => ({ id: item.getAttribute('data-id'), title: item.querySelector('.title')?.textContent, done: item.classList.contains('done') })),
  );
}

const todo = (page: Page, title: string) => page.locator('#todos li', { has: page.locator('.title', { hasText: new RegExp(`^${title}$`) }) });

test('a jQuery page that never imports sw-outbox works offline: create, edit, toggle, delete, reload, reconnect', async ({ page, context }) => {
  await server.create('existing');
  await page.goto('/plain/');
  await page.evaluate(() => window.outbox.ready.then(() => undefined));
  await expect(todo(page, 'existing')).toBeVisible();
  // The worker keeps what this first visit loaded (the page hands it over once loaded).
  await pagesKept(page, ['/plain/', '/plain/app.js', '/plain/jquery.min.js', '/outbox.js']);

  await context.setOffline(true);
  await page.fill('#title', 'written offline');
  await page.click('#add button');
  await page.fill('#title', 'short-lived');
  await page.click('#add button');
  await expect(todo(page, 'short-lived')).toBeVisible();
  await todo(page, 'short-lived').locator('.delete').click();
  await todo(page, 'written offline').locator('.toggle').check();
  await todo(page, 'existing').locator('.rename').click();
  await page.fill('.rename-input', 'renamed offline');
  await page.press('.rename-input', 'Enter');
  await expect(todo(page, 'renamed offline')).toBeVisible();
  await expect(todo(page, 'short-lived')).toHaveCount(0);

  // Reload offline: the page comes from what the worker kept, the todos from the page's own storage.
  await page.reload();
  await expect(todo(page, 'renamed offline')).toBeVisible();
  await expect(todo(page, 'written offline')).toHaveClass(/done/);
  expect(await server.writes()).toHaveLength(1);

  await context.setOffline(false);
  await page.evaluate(() => window.outbox.ready.then(() => undefined));
  await waitForDrain(page);
  const onServer = (await server.todos()).map(({ id, title, done }) => ({ id: String(id), title, done }));
  expect(onServer.map(({ title, done }) => ({ title, done }))).toEqual([
    { title: 'renamed offline', done: false },
    { title: 'written offline', done: true },
  ]);
  // The page's own list catches up with the server's, real ids and all.
  await expect.poll(() => shown(page), { timeout: 10_000 }).toEqual(onServer);
  // The create and delete of the short-lived todo cancelled out: neither was sent.
  expect((await server.writes()).map((write) => write.method).sort()).toEqual(['PATCH', 'POST', 'POST']);
});

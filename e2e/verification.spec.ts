// An app that reads only its collection (the jQuery page): its items carry no ETag, so the worker
// knows no version for them. An edit made offline while someone else changed the same item must
// not overwrite that change blindly: the worker reads the item before sending, and a change found
// is a conflict for the route's strategy (docs/protocol.md, Verification).
import { test, expect, type Page } from '@playwright/test';
import { DemoServer, pagesKept } from './demo';
import { nextEvent, readQueue, useSettings, waitForDrain } from '../testing';
import type { ConflictStrategy, VerifyMode } from '../protocol';

let server: DemoServer;

test.beforeEach(async ({ request }) => {
  server = new DemoServer(request);
  await server.reset();
});

const todo = (page: Page, title: string) => page.locator('#todos li', { has: page.locator('.title', { hasText: new RegExp(`^${title}$`) }) });

/** Renames a todo the way the page's user does. */
async function rename(page: Page, from: string, to: string): Promise<void> {
  await todo(page, from).locator('.rename').click();
  await page.fill('.rename-input', to);
  await page.press('.rename-input', 'Enter');
}

/**
 * Opens the jQuery page with these settings, and lets it read its collection through the worker
 * (it refreshes every 2 s), so the worker has seen what the user sees.
 */
async function openPlainPage(page: Page, settings: { conflict?: ConflictStrategy; verify?: VerifyMode }): Promise<void> {
  await page.goto('/plain/');
  await page.evaluate(() => window.outbox.ready.then(() => undefined));
  await pagesKept(page, ['/plain/', '/plain/app.js']);
  if (Object.keys(settings).length > 0) await useSettings(page, { routes: ['/api/'], ...settings });
  const readThroughWorker = page.waitForResponse((response) => response.url().includes('/api/todos') && response.fromServiceWorker());
  await readThroughWorker;
}

/** The todo renamed offline to `mine` while another user renamed it `theirs` on the server; then back online. */
async function renamedOnBothSides(page: Page, context: import('@playwright/test').BrowserContext, id: number) {
  await context.setOffline(true);
  await rename(page, 'shared', 'mine');
  await expect(todo(page, 'mine')).toBeVisible();
  await server.change(id, { title: 'theirs' });
  const conflict = await nextEvent(page, 'conflict');
  await context.setOffline(false);
  return conflict.received;
}

for (const strategy of ['merge', 'server-wins', 'last-write-wins', 'client-wins'] as const) {
  test(`a todo renamed offline while someone renamed it on the server: no blind overwrite (${strategy})`, async ({ page, context }) => {
    const shared = await server.create('shared');
    await openPlainPage(page, strategy === 'merge' ? {} : { conflict: strategy });
    const conflict = await renamedOnBothSides(page, context, shared.id);
    expect(conflict).toMatchObject({ status: 412, base: { title: 'shared' }, local: { title: 'mine' }, server: { title: 'theirs' } });
    if (strategy === 'merge') {
      // Both changed the title: a person decides; until then the server keeps the other's rename.
      expect(conflict).toMatchObject({ waiting: true, overlapping: ['title'] });
      await expect.poll(async () => (await readQueue(page)).map((write) => write.state)).toEqual(['conflict']);
      expect((await server.todos())[0]!.title).toBe('theirs');
      return;
    }
    await waitForDrain(page);
    // client-wins overwrites on purpose, after the conflict was met and announced; the others keep the server's.
    const expected = strategy === 'client-wins' ? 'mine' : 'theirs';
    expect((await server.todos())[0]!.title).toBe(expected);
    expect(conflict).toMatchObject({ dropped: strategy !== 'client-wins' });
    // A change dropped is said to be, to the person too: the drop-in's notice names the fields lost.
    if (strategy !== 'client-wins') await expect(page.locator('outbox-ui .notice')).toContainText('Lost: title.');
    await expect(todo(page, expected)).toBeVisible({ timeout: 10_000 });
  });
}

test('the person is asked by the drop-in\'s dialog within 2 s; keep mine sends the merged item; a later edit of the same todo then reaches the server; the list shows it', async ({ page, context }) => {
  const shared = await server.create('shared');
  await openPlainPage(page, {});
  const conflict = await renamedOnBothSides(page, context, shared.id);
  expect(conflict).toMatchObject({ waiting: true });
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible({ timeout: 2_000 });
  await expect(dialog.getByRole('group', { name: 'title' }).getByRole('radio', { name: 'Keep mine: mine' })).toBeChecked();
  await dialog.getByRole('button', { name: 'Save my choices' }).click();
  await expect(dialog).toBeHidden();
  await waitForDrain(page);
  expect((await server.todos())[0]).toMatchObject({ title: 'mine' });
  await todo(page, 'mine').locator('.toggle').check();
  await waitForDrain(page);
  await expect.poll(async () => (await server.todos())[0]).toMatchObject({ title: 'mine', done: true });
  await expect(todo(page, 'mine')).toHaveClass(/done/, { timeout: 10_000 });
});

test('an edit of a field nobody else changed goes, against the version just read', async ({ page, context }) => {
  const shared = await server.create('shared');
  await openPlainPage(page, {});
  await context.setOffline(true);
  await todo(page, 'shared').locator('.toggle').check();
  await server.change(shared.id, { title: 'theirs' });
  await context.setOffline(false);
  await waitForDrain(page);
  expect((await server.todos())[0]).toMatchObject({ title: 'theirs', done: true });
  const patch = (await server.writes()).filter((write) => write.method === 'PATCH' && write.status === 200);
  expect(patch).toHaveLength(2);
});

test('verify off: the same offline rename overwrites the other person\'s, as before', async ({ page, context }) => {
  const shared = await server.create('shared');
  await openPlainPage(page, { verify: 'off' });
  await context.setOffline(true);
  await rename(page, 'shared', 'mine');
  await server.change(shared.id, { title: 'theirs' });
  await context.setOffline(false);
  await waitForDrain(page);
  expect((await server.todos())[0]!.title).toBe('mine');
});

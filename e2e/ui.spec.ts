// The drop-in's own UI (docs/ui.md): a person using a page that never mentions sw-outbox is told
// what happens to their changes and asked about conflicts, in real browsers, against the demo server.
import { mkdirSync } from 'node:fs';
import { test, expect, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { DemoServer, openDropIn, type ServerTodo } from './demo';
import { nextEvent, pageFetch, waitForDrain } from '../testing';

let server: DemoServer;

test.beforeEach(async ({ page, request }) => {
  server = new DemoServer(request);
  await server.reset();
  // Every Content-Security-Policy violation in the page is kept, to be checked as none.
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.violatedDirective} ${event.blockedURI}`));
  });
});

test.afterEach(async ({ page }) => {
  if (page.isClosed() || page.url() === 'about:blank') return;
  expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
});

const json = { 'Content-Type': 'application/json' };

/** The UI's parts, found through its shadow root as a person (or a screen reader) finds them. */
const chip = (page: Page) => page.locator('outbox-ui .chip');
/** What the chip says (its Review button aside). */
const chipSays = (page: Page) => page.locator('outbox-ui .chip > span');
const dialog = (page: Page) => page.getByRole('dialog');
const refusedList = (page: Page) => page.getByRole('region', { name: 'Changes the server refused' });

/** Writes docs/ui-<name>.png of `part` when UI_SCREENSHOTS=1 (how the README's pictures are made). */
async function screenshot(part: Locator, name: string): Promise<void> {
  if (process.env.UI_SCREENSHOTS !== '1') return;
  mkdirSync('docs', { recursive: true });
  await part.screenshot({ path: `docs/ui-${name}.png`, animations: 'disabled' });
}

/** Zero accessibility violations in the UI, in light and in dark. */
async function accessible(page: Page, name: string, part: Locator): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const { violations, passes } = await new AxeBuilder({ page }).include('outbox-ui').analyze();
    expect(passes.length).toBeGreaterThan(0);
    expect(violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`)).toEqual([]);
    await screenshot(part, `${name}-${colorScheme}`);
  }
  await page.emulateMedia({ colorScheme: null });
}

/**
 * The drop-in page reads the item (its ETag known), edits its title offline, someone else renames
 * it on the server, and the page comes back online: the default merge meets overlapping changes
 * and waits for a person. Resolves with the conflict event, once the worker met it.
 */
async function titleConflict(page: Page, request: APIRequestContext, item: ServerTodo, whileOffline = async () => {}): Promise<Record<string, unknown>> {
  expect((await pageFetch(page, `/api/todos/${item.id}`, { method: 'GET' })).status).toBe(200);
  await page.context().setOffline(true);
  expect((await pageFetch(page, `/api/todos/${item.id}`, { method: 'PATCH', headers: json, body: JSON.stringify({ title: 'mine' }) })).status).toBe(202);
  await whileOffline();
  expect((await request.patch(`/api/todos/${item.id}`, { data: { title: 'theirs', notes: 'from elsewhere' } })).status()).toBe(200);
  const conflict = await nextEvent(page, 'conflict');
  await page.context().setOffline(false);
  return conflict.received;
}

/** The focused element, through the UI's shadow root: its text, and whether it is inside the dialog. */
function focused(page: Page): Promise<{ text: string; inDialog: boolean } | null> {
  return page.evaluate(() => {
    const active = document.querySelector('outbox-ui')?.shadowRoot?.activeElement;
    return active ? { text: active.textContent ?? '', inDialog: active.closest('dialog') !== null } : null;
  });
}

test('a conflict the worker meets is asked of the person at once; put off and reopened by keyboard; keep mine sends the merged item; the write behind it follows', async ({ page, request }) => {
  const item = await server.create('base title');
  await openDropIn(page);
  const conflict = await titleConflict(page, request, item, async () => {
    await expect(chipSays(page)).toHaveText('Offline · Changes waiting to be sent: 1');
  });
  expect(conflict).toMatchObject({ waiting: true, overlapping: ['title'] });
  // Within 2 s of the worker meeting the conflict, the dialog asks, labelled with what the item is.
  await expect(dialog(page)).toBeVisible({ timeout: 2_000 });
  await expect(dialog(page)).toHaveAccessibleName(`Your change to “base title” (/api/todos/${item.id}) meets a newer one`);
  const title = dialog(page).getByRole('group', { name: 'title' });
  await expect(title).toContainText('You saw: base title');
  await expect(title.getByRole('radio', { name: 'Keep theirs: theirs' })).toBeVisible();
  await expect(title.getByRole('radio', { name: 'Keep mine: mine' })).toBeChecked();
  expect(await focused(page)).toMatchObject({ inDialog: true });
  await accessible(page, 'dialog', dialog(page));

  // Escape puts it off; a later edit of the same item waits behind it, and the chip says so.
  await page.keyboard.press('Escape');
  await expect(dialog(page)).toBeHidden();
  expect((await pageFetch(page, `/api/todos/${item.id}`, { method: 'PATCH', headers: json, body: JSON.stringify({ done: true }) })).status).toBe(202);
  await expect(chipSays(page)).toContainText('Need your attention: 1 · Waiting behind a conflict: 1');
  await accessible(page, 'chip', chip(page));

  // Reopened from the chip with the keyboard alone; focus goes in, and comes back when put off again.
  await chip(page).getByRole('button', { name: 'Review' }).focus();
  await page.keyboard.press('Enter');
  await expect(dialog(page)).toBeVisible();
  expect(await focused(page)).toMatchObject({ inDialog: true });
  await page.keyboard.press('Escape');
  expect(await focused(page)).toEqual({ text: 'Review', inDialog: false });
  await page.keyboard.press('Enter');
  await expect(dialog(page)).toBeVisible();

  await dialog(page).getByRole('button', { name: 'Save my choices' }).click();
  await expect(dialog(page)).toBeHidden();
  await waitForDrain(page);
  expect(await server.todos()).toMatchObject([{ id: item.id, title: 'mine', notes: 'from elsewhere', done: true }]);
  const patches = (await server.writes()).filter((write) => write.method === 'PATCH').map((write) => write.status);
  expect(patches).toEqual([200, 200, 200]);
  await expect(chipSays(page)).toHaveText('All changes saved');
  await expect(chip(page)).toBeHidden({ timeout: 10_000 });
});

test('two tabs both ask; the first answer wins and both dialogs close', async ({ page, request, context }) => {
  const item = await server.create('base title');
  await openDropIn(page);
  const other = await context.newPage();
  await openDropIn(other);
  // The other tab is a small window, as at 200% zoom: the dialog fits its width and scrolls.
  await other.setViewportSize({ width: 640, height: 360 });
  const conflict = await titleConflict(page, request, item);
  await expect(dialog(page)).toBeVisible();
  await expect(dialog(other)).toBeVisible();
  expect((await dialog(other).boundingBox())!.width).toBeLessThanOrEqual(640);
  await dialog(other).getByRole('button', { name: 'Keep all theirs' }).click();
  await expect(dialog(other)).toBeHidden();
  await expect(dialog(page)).toBeHidden();
  // The first tab's answer, too late, changes nothing.
  expect(await page.evaluate((id) => window.outbox.resolve(id, { body: { title: 'too late' } }), conflict.id as string)).toBe(false);
  await waitForDrain(page);
  expect(await server.todos()).toMatchObject([{ title: 'theirs', notes: 'from elsewhere' }]);
});

/** What the plain page shows for a todo: its title. */
const shownTitles = (page: Page) => page.locator('#todos .title').allTextContents();

/** On the plain jQuery page, renames a todo offline; the server then refuses it with 422 problem+json when it comes. */
async function refusedRename(page: Page, from: string, to: string): Promise<void> {
  await page.context().setOffline(true);
  await page.locator('#todos li', { has: page.locator('.title', { hasText: from }) }).locator('.rename').click();
  await page.fill('.rename-input', to);
  await page.press('.rename-input', 'Enter');
  await expect(chipSays(page)).toContainText('Changes waiting to be sent: 1');
  const problem = { type: 'https://example.test/invalid', title: 'Invalid todo', detail: 'titles may not shout', status: 422 };
  await server.faults({ fail: { count: 1, status: 422, body: JSON.stringify(problem), contentType: 'application/problem+json' } });
  await page.context().setOffline(false);
}

test('a write the server refuses (422 problem+json) is listed with its reason; Retry sends it again; Discard drops it and the page catches up', async ({ page }) => {
  await server.create('calm title');
  await page.goto('/plain/');
  await page.evaluate(() => window.outbox.ready.then(() => undefined));
  await expect(page.locator('#todos .title')).toHaveText(['calm title']);

  await refusedRename(page, 'calm title', 'LOUD TITLE');
  await expect(refusedList(page)).toBeVisible();
  const refused = refusedList(page).getByRole('listitem');
  await expect(refused).toHaveCount(1);
  await expect(refused).toContainText(/PATCH “LOUD TITLE” \(\/api\/todos\/\d+\)/);
  await expect(refused).toContainText('422 refused: Invalid todo: titles may not shout');
  await expect(chipSays(page)).toContainText('Need your attention: 1');
  await expect(page.locator('outbox-ui .notice')).toContainText('was undone. Lost: title.');
  await accessible(page, 'refused', refusedList(page));

  // Opened again later, the page does not push the list at the person: the chip says it, Review opens it.
  await page.reload();
  await page.evaluate(() => window.outbox.ready.then(() => undefined));
  await expect(chipSays(page)).toHaveText('Need your attention: 1');
  await expect(refusedList(page)).toBeHidden();
  await chip(page).getByRole('button', { name: 'Review' }).press('Enter');
  await expect(refusedList(page)).toBeVisible();
  expect(await focused(page)).toMatchObject({ text: 'Changes the server refused' });

  // Retry: the server takes it this time.
  await refused.getByRole('button', { name: 'Retry' }).click();
  await expect(refusedList(page)).toBeHidden();
  await waitForDrain(page);
  expect((await server.todos()).map((todo) => todo.title)).toEqual(['LOUD TITLE']);
  await expect.poll(() => shownTitles(page), { timeout: 10_000 }).toEqual(['LOUD TITLE']);

  // Discard: the change is dropped, and the page's list catches up with the server's.
  await refusedRename(page, 'LOUD TITLE', 'LOUDER');
  await expect(refused).toHaveCount(1);
  await refused.getByRole('button', { name: 'Discard' }).click();
  await expect(refusedList(page)).toBeHidden();
  expect(await page.evaluate(() => window.outbox.list())).toEqual([]);
  expect((await server.todos()).map((todo) => todo.title)).toEqual(['LOUD TITLE']);
  await expect.poll(() => shownTitles(page), { timeout: 10_000 }).toEqual(['LOUD TITLE']);
});

test('data-ui="off" shows nothing, whatever happens', async ({ page, request }) => {
  const item = await server.create('base title');
  await page.goto('/ui-off.html');
  await page.evaluate(() => window.outbox.ready.then(() => undefined));
  const conflict = await titleConflict(page, request, item);
  expect(conflict).toMatchObject({ waiting: true });
  await page.waitForTimeout(1_000);
  await expect(page.locator('outbox-ui')).toHaveCount(0);
});

test('an app that answers conflicts itself is asked, and the drop-in shows none of its UI', async ({ page, request }) => {
  const item = await server.create('base title');
  await openDropIn(page);
  await page.evaluate(() => {
    window.outbox.handleConflicts(({ server }) => ({ body: { title: `app chose ${(server as { title: string }).title}` } }));
  });
  await expect(page.locator('outbox-ui')).toBeHidden();
  await titleConflict(page, request, item);
  await waitForDrain(page);
  expect(await server.todos()).toMatchObject([{ title: 'app chose theirs', notes: 'from elsewhere' }]);
  await expect(dialog(page)).toHaveCount(0);
  await expect(page.locator('outbox-ui')).toBeHidden();
});

test('every text can be replaced, and the chip placed, from the script tag', async ({ page }) => {
  await page.goto('/ui-text.html');
  await page.evaluate(() => window.outbox.ready.then(() => undefined));
  await page.context().setOffline(true);
  expect((await pageFetch(page, '/api/todos', { method: 'POST', headers: json, body: JSON.stringify({ title: 'hors ligne' }) })).status).toBe(202);
  await expect(chipSays(page)).toHaveText('Hors ligne · Modifications en attente : 1');
  const box = (await chip(page).boundingBox())!;
  expect(box.x < 100 && box.y < 100).toBe(true);
  await page.context().setOffline(false);
  await waitForDrain(page);
});

import { test, expect } from '@playwright/test';
import { DemoServer, card, openBoard, openDropIn, renameCard, renameElsewhere } from './demo';
import { nextEvent, outboxStatus, pageFetch, useSettings, waitForDrain } from '../testing';
import { logVersion } from '../sw/log/migrations';

let server: DemoServer;

test.beforeEach(async ({ request }) => {
  server = new DemoServer(request);
  await server.reset();
});

test('a worker update takes over the log: nothing lost, nothing sent twice, and the page is told', async ({ page }) => {
  const item = await server.create('updated');
  await openDropIn(page);
  // Replay is paused (a new worker script can only be fetched online): the writes wait in the log.
  await page.evaluate(() => window.outbox.pause());
  for (let i = 1; i <= 5; i++) {
    await pageFetch(page, '/api/todos', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ title: `queued ${i}` }) });
    await pageFetch(page, `/api/todos/${item.id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ notes: `edit ${i}` }) });
  }
  const activated = await nextEvent(page, 'activated');
  await useSettings(page, { maxAttempts: 9 });
  expect(await activated.received).toMatchObject({ type: 'activated', logVersion });
  // The new worker has the old one's log, and its pause.
  expect(await outboxStatus(page)).toMatchObject({ pending: 10, paused: true });
  expect(await server.writes()).toHaveLength(1);
  await page.evaluate(() => window.outbox.resume());
  await waitForDrain(page);
  const writes = (await server.writes()).slice(1);
  expect(writes).toHaveLength(10);
  expect(new Set(writes.map((write) => write.idempotencyKey)).size).toBe(10);
  expect(writes.filter((write) => write.method === 'PATCH').map((write) => JSON.parse(write.body).notes)).toEqual(['edit 1', 'edit 2', 'edit 3', 'edit 4', 'edit 5']);
});

test('two tabs editing the same item converge on the server\'s state', async ({ context }) => {
  await server.create('two tabs');
  const [a, b] = [await context.newPage(), await context.newPage()];
  await openBoard(a);
  await openBoard(b);
  await renameCard(a, 'two tabs', 'edited in A');
  await expect(card(b, 'edited in A')).toHaveAttribute('data-state', 'synced');
  await card(b, 'edited in A').locator('[data-action="toggle"]').check();
  await expect(a.getByTestId('done-list').getByText('edited in A')).toBeVisible();
  const shown = async (page: typeof a) => page.getByTestId('item').evaluateAll((items) => items.map((item) => item.textContent));
  await expect.poll(async () => JSON.stringify(await shown(a))).toBe(JSON.stringify(await shown(b)));
  expect(await server.todos()).toMatchObject([{ title: 'edited in A', done: true }]);
});

test('a tab that opens later reads what it missed from the history', async ({ context }) => {
  const item = await server.create('history');
  const first = await context.newPage();
  await openDropIn(first);
  await context.setOffline(true);
  await pageFetch(first, `/api/todos/${item.id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{"done":true}' });
  await context.setOffline(false);
  await waitForDrain(first);
  const late = await context.newPage();
  await openDropIn(late);
  const types = (await late.evaluate(() => window.outbox.history())).map((event) => event.type);
  expect(types).toEqual(expect.arrayContaining(['queued', 'sent', 'confirmed']));
  expect(types.indexOf('queued')).toBeLessThan(types.lastIndexOf('confirmed'));
});

test('the demo\'s conflict panel: base, mine and theirs side by side; the person edits and sends', async ({ page, context, browser }) => {
  const item = await server.create('Plan the trip');
  await openBoard(page);
  await expect(page.getByTestId('conflict-strategy')).toHaveValue('merge');
  await context.setOffline(true);
  await renameCard(page, 'Plan the trip', 'Plan the trip to Lisbon');

  await renameElsewhere(browser, 'Plan the trip', 'Plan the trip to Porto');

  await context.setOffline(false);
  const panel = page.getByTestId('conflict');
  await expect(panel).toContainText('Plan the trip to Porto');
  await expect(panel.getByRole('row', { name: /title/ })).toContainText('Plan the tripPlan the trip to LisbonPlan the trip to Porto');
  await expect(panel.getByTestId('resolve-title')).toHaveValue('Plan the trip to Lisbon');
  await panel.getByTestId('resolve-title').fill('Plan the trip to Lisbon and Porto');
  await panel.getByTestId('resolve-send').click();
  await expect(panel).toHaveCount(0);
  await expect(card(page, 'Plan the trip to Lisbon and Porto')).toHaveAttribute('data-state', 'synced');
  expect((await server.todos()).find((todo) => todo.id === item.id)?.title).toBe('Plan the trip to Lisbon and Porto');
});

test('the demo\'s queue inspector lists what waits, and discarding a write takes its change back', async ({ page, context }) => {
  await openBoard(page);
  await context.setOffline(true);
  await page.getByTestId('new-title').fill('Maybe later');
  await page.getByTestId('add').click();
  await page.getByTestId('queue').locator('summary').click();
  const row = page.getByTestId('queue-row');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('POST/api/todosqueued0');
  await row.getByTestId('queue-discard').click();
  await expect(row).toHaveCount(0);
  await expect(card(page, 'Maybe later')).toHaveCount(0);
  await context.setOffline(false);
  await page.waitForTimeout(300);
  expect(await server.writes()).toHaveLength(0);
});

test('partitions: one user\'s offline writes are never sent while another is signed in', async ({ page, context }) => {
  await openDropIn(page);
  const write = (title: string) => pageFetch(page, '/api/todos', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ title }) });
  await page.evaluate(() => window.outbox.setPartition('alice'));
  await context.setOffline(true);
  await write('alice 1');
  await write('alice 2');
  // Alice signs out, Bob signs in, the network comes back.
  await page.evaluate(() => window.outbox.setPartition('bob'));
  await context.setOffline(false);
  await write('bob 1');
  await waitForDrain(page);
  expect(await page.evaluate(() => window.outbox.list())).toEqual([]);
  await page.waitForTimeout(500);
  expect((await server.todos()).map((todo) => todo.title)).toEqual(['bob 1']);
  // Alice is back: her writes go now.
  await page.evaluate(() => window.outbox.setPartition('alice'));
  await waitForDrain(page);
  expect((await server.todos()).map((todo) => todo.title).sort()).toEqual(['alice 1', 'alice 2', 'bob 1']);
});

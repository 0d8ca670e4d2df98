import { test, expect, type Page } from '@playwright/test';
import { DemoServer, openDropIn } from './demo';
import { goOnline, nextEvent, pageFetch, stopServiceWorkers, waitForDrain } from '../testing';

// The worker asks the pages over Comlink for what only the app knows: the answer to a conflict
// that waits for a person, and fresh credentials. The first page that answers wins; a page that
// connects later is asked then; a restarted worker asks over the pages' new lines.

let server: DemoServer;

test.beforeEach(async ({ request }) => {
  server = new DemoServer(request);
  await server.reset();
});

const json = { 'Content-Type': 'application/json' };

/** Lets this page answer conflicts by joining both sides' titles, and records what it was asked. */
async function answerConflictsByJoining(page: Page): Promise<void> {
  await page.evaluate(() => {
    const asked: unknown[] = [];
    (window as unknown as { asked: unknown[] }).asked = asked;
    window.outbox.handleConflicts((question) => {
      asked.push(question);
      const mine = (question.local as { title: string }).title;
      const theirs = (question.server as { title: string }).title;
      return { body: { title: `${mine} and ${theirs}` } };
    });
  });
}

test('a conflict that waits is asked of a page that connects later, and its answer is sent', async ({ page, context, request }) => {
  const item = await server.create('base');
  await openDropIn(page);
  expect((await pageFetch(page, `/api/todos/${item.id}`, { method: 'GET' })).status).toBe(200);
  await context.setOffline(true);
  expect((await pageFetch(page, `/api/todos/${item.id}`, { method: 'PATCH', headers: json, body: JSON.stringify({ title: 'mine' }) })).status).toBe(202);
  expect((await request.patch(`/api/todos/${item.id}`, { data: { title: 'theirs' } })).status()).toBe(200);
  const waiting = await nextEvent(page, 'conflict');
  await context.setOffline(false);
  expect(await waiting.received).toMatchObject({ waiting: true, reason: 'overlapping changes' });
  // The first page has no answer: the write waits, its lane behind it.
  expect((await page.evaluate(() => window.outbox.list())).map((entry) => entry.state)).toEqual(['conflict']);

  const later = await context.newPage();
  await openDropIn(later);
  const resolved = await nextEvent(page, 'resolved');
  await answerConflictsByJoining(later);
  expect(await resolved.received).toMatchObject({ how: 'manual' });
  expect(await later.evaluate(() => (window as unknown as { asked: unknown[] }).asked)).toMatchObject([
    { base: { title: 'base' }, local: { title: 'mine' }, server: { title: 'theirs' }, overlapping: ['title'] },
  ]);
  await waitForDrain(page);
  expect((await server.todos()).map((todo) => todo.title)).toEqual(['mine and theirs']);
  // Answered once: the first page's later resolve changes nothing.
  const [entryId] = await page.evaluate(() => window.outbox.history().then((events) => events.filter((e) => e.type === 'resolved').map((e) => e.id)));
  expect(await page.evaluate((id) => window.outbox.resolve(id, { discard: true }), entryId!)).toBe(false);
});

test('after the browser stops the worker, a replay asks the open page for credentials over its new line', async ({ page, context }) => {
  await server.faults({ requireAuth: 'Bearer fresh' });
  await openDropIn(page);
  await page.evaluate(() => window.outbox.provideCredentials(() => ({ Authorization: 'Bearer fresh' })));
  await context.setOffline(true);
  const queued = await pageFetch(page, '/api/todos', { method: 'POST', headers: { ...json, Authorization: 'Bearer old' }, body: JSON.stringify({ title: 'after a restart' }) });
  expect(queued.status).toBe(202);
  await stopServiceWorkers(page);
  // The kit's online() starts the stopped worker first: Playwright's setOffline can hang on one.
  await goOnline(page);
  await waitForDrain(page);
  expect((await server.todos()).map((todo) => todo.title)).toEqual(['after a restart']);
  const [write] = await server.writes();
  expect(write).toMatchObject({ status: 201 });
});

// The app visited once online opens offline, after a browser restart, and reads what the user
// wrote: the worker answers the reads from its kept copies with the pending writes laid over.
import assert from 'node:assert/strict';
import { openOutboxPage, outboxReady, pageFetch, sendJson, waitFor, waitForDrain } from '../page';
import { pageKept, shown } from './plain-page';
import type { Story } from './story';

export const offlineReads: Story = {
  name: '7 the app opens and reads offline after a restart, with its pending writes',
  async run({ browser, server }) {
    const kept = await server.create('kept');
    const doomed = await server.create('deleted offline');
    await openOutboxPage(browser, '/plain/');
    await waitFor('the list to load', () => shown(browser), (todos) => todos.length === 2, 15_000);
    // The first visit read the list before the worker controlled the page; the worker keeps the
    // reads it sees, such as the page's next refresh, made here at once.
    assert.equal((await pageFetch(browser, '/api/todos', { method: 'GET' })).status, 200);
    await pageKept(browser);

    await browser.setOffline(true);
    for (const answer of [
      await sendJson(browser, 'PATCH', `/api/todos/${kept.id}`, { title: 'renamed offline' }),
      await sendJson(browser, 'DELETE', `/api/todos/${doomed.id}`),
      await sendJson(browser, 'POST', '/api/todos', { title: 'created offline', done: false }),
    ]) assert.equal(answer.status, 202);
    // The page's own copy goes, so what it shows next can only come from the worker's reads.
    await browser.evaluate(() => localStorage.clear(), null);

    await browser.relaunch();
    await browser.setOffline(true);
    await openOutboxPage(browser, '/plain/');
    const list = await pageFetch(browser, '/api/todos', { method: 'GET' });
    assert.equal(list.status, 200);
    assert.equal(list.headers['outbox-overlaid'], '3');
    // Marked offline in every engine: where the browser knows it is offline (Firefox, whose HTTP
    // cache would answer otherwise), the worker answers from its kept copy without asking.
    assert.equal(list.headers['outbox-status'], 'offline');
    const items = JSON.parse(list.text) as { id: number | string; title: string }[];
    assert.deepEqual(items.map((item) => item.title), ['renamed offline', 'created offline']);
    assert.match(String(items[1]!.id), /^tmp-/);
    await waitFor('the page to show the overlaid list', () => shown(browser), (todos) => todos.map((todo) => todo.title).join() === 'renamed offline,created offline', 15_000);

    await browser.setOffline(false);
    await outboxReady(browser);
    await waitForDrain(browser);
    assert.deepEqual((await server.todos()).map((todo) => todo.title), ['renamed offline', 'created offline']);
  },
};

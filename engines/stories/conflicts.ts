// A conflict met on reconnect: the user changed an item offline, someone else changed it on the
// server meanwhile. The page's optimistic change stays when the strategy merges, and is rolled
// back when the server's state wins.
import assert from 'node:assert/strict';
import type { EngineBrowser } from '../driver';
import { openOutboxPage, outboxHistory, pageFetch, waitForDrain, type OutboxWindow } from '../page';
import type { Story } from './story';

/** What `#shown` says before the change, and once the optimistic change is applied. */
const before = 'before';
const applied = 'changed offline';

/** The page reads the item, goes offline and changes it through `outbox.fetch` with an optimistic change on `#shown`. */
async function changeOffline(browser: EngineBrowser, id: number, change: Record<string, unknown>): Promise<void> {
  assert.equal((await pageFetch(browser, `/api/todos/${id}`, { method: 'GET' })).status, 200);
  await browser.setOffline(true);
  const status = await browser.evaluate(
    async ({ id, change, before, applied }) => {
      const shown = document.querySelector('#shown')!;
      shown.textContent = before;
      const init = { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(change) };
      const apply = () => {
        shown.textContent = applied;
        return () => void (shown.textContent = before);
      };
      return (await (window as unknown as OutboxWindow).outbox.fetch(`/api/todos/${id}`, init, { apply })).status;
    },
    { id, change, before, applied },
  );
  assert.equal(status, 202);
}

function shownText(browser: EngineBrowser): Promise<string | null> {
  return browser.evaluate(() => document.querySelector('#shown')?.textContent ?? null, null);
}

export const conflictMerged: Story = {
  name: '5 a conflict merged (merge, the default): both changes stand, the optimistic change stays',
  async run({ browser, server }) {
    const item = await server.create('shared');
    await openOutboxPage(browser, '/engines.html');
    await changeOffline(browser, item.id, { done: true });
    await server.change(item.id, { title: 'renamed elsewhere' });
    await browser.setOffline(false);
    await waitForDrain(browser);
    assert.deepEqual((await server.todos()).map(({ title, done }) => ({ title, done })), [{ title: 'renamed elsewhere', done: true }]);
    const resolved = (await outboxHistory(browser)).filter((event) => event.type === 'resolved');
    assert.deepEqual(resolved.map((event) => event.type === 'resolved' && event.how), ['merge']);
    assert.equal(await shownText(browser), applied);
  },
};

export const conflictRolledBack: Story = {
  name: '5 a conflict the server wins (server-wins): the optimistic change is rolled back, the loss announced',
  async run({ browser, server }) {
    const item = await server.create('shared');
    await openOutboxPage(browser, '/server-wins.html');
    await changeOffline(browser, item.id, { title: 'mine' });
    await server.change(item.id, { title: 'theirs' });
    await browser.setOffline(false);
    await waitForDrain(browser);
    assert.deepEqual((await server.todos()).map((todo) => todo.title), ['theirs']);
    const conflicts = (await outboxHistory(browser)).flatMap((event) => (event.type === 'conflict' ? [event] : []));
    assert.deepEqual(conflicts.map((event) => [event.strategy, event.dropped, event.lostFields]), [['server-wins', true, ['title']]]);
    assert.equal(await shownText(browser), before);
  },
};

// Back online, replay starts within seconds in every engine, even where the page never learns that
// the network came back (WebKit: navigator.onLine stays true, no `online` event). The write waits
// offline until its own backoff is well past the target, then the time from the network's return
// to the server's first write is measured.
import assert from 'node:assert/strict';
import type { EngineBrowser } from '../driver';
import { openOutboxPage, sendJson, waitFor, waitForDrain, type OutboxWindow } from '../page';
import type { Story } from './story';

/** The target: the first write reaches the server within this of the network returning. */
const targetMs = 5_000;
/** How far off the write's next attempt must be before the network returns (its backoff grows with each failure). */
const backoffPastTargetMs = targetMs + 3_000;
/** The longest the story stays offline for that (full jitter may keep the backoff short a while). */
const longestOfflineMs = 50_000;

/**
 * How long until the earliest waiting write's next attempt, as the worker has it; Infinity where
 * the browser knows it is offline (nothing is tried then, and it says when the network is back).
 */
async function nextAttemptIn(browser: EngineBrowser): Promise<number> {
  return browser.evaluate(async () => {
    if (!navigator.onLine) return Infinity;
    const writes = await (window as unknown as OutboxWindow).outbox.list();
    return Math.min(...writes.map((write) => write.nextAttemptAt)) - Date.now();
  }, null);
}

export const reconnect: Story = {
  name: `9 back online after a long offline backoff, the first queued write reaches the server within ${targetMs / 1000} s`,
  async run({ browser, server }) {
    await openOutboxPage(browser, '/engines.html');
    await browser.setOffline(true);
    assert.equal((await sendJson(browser, 'POST', '/api/todos', { title: 'waited' })).status, 202);
    const offline = Date.now();
    let backoff = 0;
    while ((backoff = await nextAttemptIn(browser)) < backoffPastTargetMs && Date.now() - offline < longestOfflineMs) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal((await server.writes()).length, 0, 'nothing reached the server while offline');

    const back = Date.now();
    await browser.setOffline(false);
    await waitFor('the first write to reach the server', () => server.writes(), (writes) => writes.length > 0, 90_000);
    const firstAfterMs = Date.now() - back;
    const waited = backoff === Infinity ? 'the browser knew it was offline' : `the write's own next attempt ${(backoff / 1000).toFixed(1)} s away`;
    console.log(`    ${browser.engine}: offline ${((back - offline) / 1000).toFixed(1)} s, ${waited}; it reached the server ${(firstAfterMs / 1000).toFixed(1)} s after the network returned`);
    assert.ok(firstAfterMs <= targetMs, `the first write reached the server ${firstAfterMs} ms after the network returned (target ${targetMs} ms)`);
    await waitForDrain(browser);
    assert.deepEqual((await server.todos()).map((todo) => todo.title), ['waited']);
  },
};

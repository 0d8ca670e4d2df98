// A conflict that waits for a person, answered through the drop-in's own dialog: the user renamed
// an item offline while someone else renamed it on the server; the dialog asks, the person keeps
// their title, and the merged item reaches the server.
import assert from 'node:assert/strict';
import { openOutboxPage, pageFetch, sendJson, waitFor, waitForDrain } from '../page';
import type { EngineBrowser } from '../driver';
import type { Story } from './story';

/** What the open conflict dialog shows: its label and its fields' legends; null when none is open. */
function openDialog(browser: EngineBrowser): Promise<{ label: string; fields: string[] } | null> {
  return browser.evaluate(() => {
    const root = document.querySelector('outbox-ui')?.shadowRoot;
    const dialog = root?.querySelector('dialog[open]');
    if (!root || !dialog) return null;
    const label = root.getElementById(dialog.getAttribute('aria-labelledby') ?? '')?.textContent ?? '';
    return { label, fields: [...dialog.querySelectorAll('legend')].map((legend) => legend.textContent ?? '') };
  }, null);
}

/** Presses a button of the open dialog by its text, as a person would. */
function pressInDialog(browser: EngineBrowser, text: string): Promise<void> {
  return browser.evaluate((text) => {
    const dialog = document.querySelector('outbox-ui')?.shadowRoot?.querySelector('dialog[open]');
    const pressed = [...(dialog?.querySelectorAll('button') ?? [])].find((button) => button.textContent === text);
    if (!pressed) throw new Error(`no "${text}" button in an open dialog`);
    pressed.click();
  }, text);
}

export const conflictDialog: Story = {
  name: '8 a conflict that waits for a person is answered through the drop-in\'s dialog: keep mine, merged with theirs',
  async run({ browser, server }) {
    const item = await server.create('base title');
    await openOutboxPage(browser, '/engines.html');
    assert.equal((await pageFetch(browser, `/api/todos/${item.id}`, { method: 'GET' })).status, 200);
    await browser.setOffline(true);
    assert.equal((await sendJson(browser, 'PATCH', `/api/todos/${item.id}`, { title: 'mine' })).status, 202);
    await server.change(item.id, { title: 'theirs', notes: 'from elsewhere' });
    await browser.setOffline(false);
    const shown = await waitFor('the conflict dialog to open', () => openDialog(browser), (dialog) => dialog !== null, 30_000);
    assert.deepEqual(shown, { label: `Your change to “base title” (/api/todos/${item.id}) meets a newer one`, fields: ['title'] });
    await pressInDialog(browser, 'Save my choices');
    await waitForDrain(browser);
    assert.equal(await openDialog(browser), null);
    assert.deepEqual((await server.todos()).map(({ title, notes }) => ({ title, notes })), [{ title: 'mine', notes: 'from elsewhere' }]);
  },
};

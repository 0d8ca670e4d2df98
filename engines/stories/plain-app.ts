// The drop-in on a page that never heard of it: the demo's jQuery todo list (XMLHttpRequest
// writes, its state in localStorage), used offline as a person would, clicks and typing.
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import type { EngineBrowser } from '../driver';
import { openOutboxPage, outboxReady, waitFor, waitForDrain } from '../page';
import { pageKept, shown, shownTodo } from './plain-page';
import type { Story } from './story';

async function shownAsDone(browser: EngineBrowser, title: string): Promise<void> {
  await waitFor(`"${title}" to show as done`, () => shownTodo(browser, title), (todo) => todo.done, 15_000);
}

/** The CSS selector of a control of the todo shown with that title. */
async function control(browser: EngineBrowser, title: string, name: 'toggle' | 'rename' | 'delete'): Promise<string> {
  return `#todos li[data-id="${(await shownTodo(browser, title)).id}"] .${name}`;
}

async function add(browser: EngineBrowser, title: string): Promise<void> {
  await browser.type('#title', title);
  await browser.click('#add button');
  await shownTodo(browser, title);
}

export const plainApp: Story = {
  name: '3 the drop-in jQuery page: create, edit, toggle, delete offline; temporary ids remapped',
  async run({ browser, server }) {
    await server.create('existing');
    await openOutboxPage(browser, '/plain/');
    await shownTodo(browser, 'existing');
    await pageKept(browser);

    await browser.setOffline(true);
    const browserKnewOffline = !(await browser.evaluate(() => navigator.onLine, null));
    await add(browser, 'written offline');
    await add(browser, 'short-lived');
    await browser.click(await control(browser, 'short-lived', 'delete'));
    await waitFor('"short-lived" to go', () => shown(browser), (todos) => !todos.some((todo) => todo.title === 'short-lived'), 15_000);
    await browser.click(await control(browser, 'written offline', 'toggle'));
    // The page re-renders its list when the toggle's answer comes: rename only after that.
    await shownAsDone(browser, 'written offline');
    await browser.click(await control(browser, 'existing', 'rename'));
    await browser.type('.rename-input', 'renamed offline');
    await browser.pressEnter('.rename-input');
    await shownTodo(browser, 'renamed offline');
    assert.match((await shownTodo(browser, 'written offline')).id ?? '', /^tmp-/, 'a todo created offline has a temporary id');

    // Reload offline: the page comes from the worker's shell, the todos from the page's storage.
    await browser.reload();
    await shownTodo(browser, 'renamed offline');
    await shownAsDone(browser, 'written offline');
    assert.equal((await server.writes()).length, 1, 'nothing reached the server while offline');

    await browser.setOffline(false);
    await outboxReady(browser);
    await waitForDrain(browser);
    const onServer = (await server.todos()).map(({ id, title, done }) => ({ id: String(id), title, done }));
    assert.deepEqual(onServer.map(({ title, done }) => ({ title, done })), [
      { title: 'renamed offline', done: false },
      { title: 'written offline', done: true },
    ]);
    // The page's own list catches up with the server's: real ids in place of the temporary ones.
    await waitFor('the page to show the server\'s list', () => shown(browser), (todos) => isDeepStrictEqual(todos, onServer), 15_000);
    const methods = (await server.writes()).map((write) => write.method).sort();
    if (browserKnewOffline) {
      // Nothing was tried offline, so the create and the delete of the short-lived todo
      // cancelled out (neither was sent) and the toggle went with its create.
      assert.deepEqual(methods, ['PATCH', 'POST', 'POST']);
    } else {
      // The browser thought it was online: each write was tried once and may have reached the
      // server, so none is merged away and the delete follows its create.
      assert.deepEqual(methods, ['DELETE', 'PATCH', 'PATCH', 'POST', 'POST', 'POST']);
    }
  },
};

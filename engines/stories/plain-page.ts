// The demo's jQuery page (/plain/) as the stories read it: what its list shows.
import type { EngineBrowser } from '../driver';
import { waitFor } from '../page';

export interface ShownTodo {
  id: string | null;
  title: string | null;
  done: boolean;
}

/** What the page shows: each todo's id, title and whether it is done. */
export function shown(browser: EngineBrowser): Promise<ShownTodo[]> {
  return browser.evaluate(
    () =>
      [...document.querySelectorAll('#todos li')].map((item) => ({
        id: item.getAttribute('data-id'),
        title: item.querySelector('.title')?.textContent ?? null,
        done: item.classList.contains('done'),
      })),
    null,
  );
}

/** Waits until a todo of that title is shown; resolves with it. */
export async function shownTodo(browser: EngineBrowser, title: string): Promise<ShownTodo> {
  const list = await waitFor(`"${title}" to be shown`, () => shown(browser), (todos) => todos.some((todo) => todo.title === title), 15_000);
  return list.find((todo) => todo.title === title)!;
}

/** What the page loads: the worker keeps each once the first visit hands them over. */
const pageFiles = ['/plain/', '/plain/app.js', '/plain/jquery.min.js', '/outbox.js'];

/**
 * Waits until the worker keeps the page and its files. The first visit loaded them before the
 * worker controlled the page; it fetches them again to keep them, and until it has, the page
 * cannot open offline.
 */
export async function pageKept(browser: EngineBrowser): Promise<void> {
  const kept = (files: string[]) => browser.evaluate(async (files) => (await Promise.all(files.map((file) => caches.match(file)))).every(Boolean), files);
  await waitFor('the page and its files to be kept', () => kept(pageFiles), (all) => all, 15_000);
}

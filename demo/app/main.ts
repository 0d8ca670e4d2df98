import { connect, outboxHeaders } from '../../client/index';
import { Board, itemKeyOf, type Todo } from './board';
import { notify, renderBoard, renderStatus } from './view';
import { ConflictPanel } from './conflict-panel';
import { renderQueue } from './queue-inspector';
import type { ConflictStrategy } from '../../client/index';

// The conflict strategy is the user's pick; the worker is registered with it (a new pick is an update).
const strategyPicker = document.querySelector<HTMLSelectElement>('[data-testid="conflict-strategy"]')!;
strategyPicker.value = localStorage.getItem('demo-conflict') ?? 'merge';
strategyPicker.addEventListener('change', () => {
  localStorage.setItem('demo-conflict', strategyPicker.value);
  location.reload();
});

const outbox = await connect({ sw: '/demo-sw.js', config: { conflict: strategyPicker.value as ConflictStrategy } });
window.outbox = outbox;
const conflictPanel = new ConflictPanel(outbox);
const board = new Board();
board.onChange(() => renderBoard(board));

const jsonHeaders = { 'Content-Type': 'application/json' };

function isTodo(value: unknown): value is Todo {
  return typeof value === 'object' && value !== null && 'id' in value && 'title' in value;
}

/**
 * The server's list, which the worker answers with this browser's unsent writes laid over it
 * (offline, from the copy it kept): what the user did survives a reload, online or not.
 */
async function loadBoard(): Promise<void> {
  const response = await fetch('/api/todos').catch(() => null);
  if (response?.ok) board.load((await response.json()) as Todo[]);
  board.changed();
  const queue = await outbox.list();
  conflictPanel.showWaiting(queue);
  renderQueue(queue, outbox);
}

// Which cards wait for the server: a watch over the board's items, re-drawn on every change.
outbox.watch('/api/todos/*', ({ pending }) => {
  board.showPending(pending);
  board.changed();
});

/** Any event may change the queue: the inspector follows, a few times a second at most. */
let queueRefresh: ReturnType<typeof setTimeout> | null = null;
outbox.subscribe(() => {
  queueRefresh ??= setTimeout(() => {
    queueRefresh = null;
    void outbox.list().then((queue) => {
      renderQueue(queue, outbox);
      conflictPanel.showWaiting(queue);
    });
  }, 150);
});

/** Takes a server answer for a card as the truth, unless newer changes of it are still waiting. */
function acceptServerCopy(key: string, body: unknown): void {
  if (!isTodo(body)) return;
  const realKey = String(body.id);
  board.rename(key, realKey);
  const local = board.items.get(realKey);
  if (!board.hasPending(realKey) || !local) board.items.set(realKey, body);
  else board.items.set(realKey, { ...local, id: body.id, version: body.version });
}

async function addTodo(title: string): Promise<void> {
  const response = await outbox.fetch('/api/todos', { method: 'POST', headers: jsonHeaders, body: JSON.stringify({ title, done: false }) });
  const body: unknown = await response.json().catch(() => null);
  if (!isTodo(body)) return notify(`Could not add "${title}" (HTTP ${response.status})`, 'error');
  const key = String(body.id);
  board.items.set(key, body);
  const outboxId = response.headers.get(outboxHeaders.id);
  const resource = response.headers.get(outboxHeaders.resource);
  if (response.status === 202 && outboxId && resource) {
    outbox.track(outboxId, resource, () => {
      board.items.delete(board.resolve(key));
      board.changed();
    });
  }
  board.changed();
}

/** Sends a change of one card; it shows at once and is taken back if the server refuses it. */
async function changeTodo(key: string, method: 'PATCH' | 'DELETE', patch: Partial<Todo> = {}): Promise<void> {
  const item = board.items.get(key);
  if (!item) return;
  const headers: Record<string, string> = method === 'PATCH' ? { ...jsonHeaders } : {};
  if (item.version > 0) headers['If-Match'] = `"${item.version}"`;
  const before = Object.fromEntries(Object.keys(patch).map((field) => [field, item[field as keyof Todo]]));
  const response = await outbox.fetch(
    `/api/todos/${encodeURIComponent(key)}`,
    { method, headers, body: method === 'PATCH' ? JSON.stringify(patch) : undefined },
    {
      // What the user saw: the base a merge compares both sides with.
      base: item,
      apply: () => {
        if (method === 'DELETE') board.items.delete(key);
        else board.items.set(key, { ...item, ...patch });
        board.changed();
        return () => {
          const current = board.resolve(key);
          const now = board.items.get(current);
          board.items.set(current, method === 'DELETE' ? { ...item, ...now } : { ...(now ?? item), ...before });
          board.changed();
        };
      },
    },
  );
  const outboxId = response.headers.get(outboxHeaders.id);
  if (response.status === 202 && outboxId) board.clearConflict(key);
  else if (response.ok && method === 'PATCH') acceptServerCopy(key, await response.json());
  else if (response.status === 412 || response.status === 409) {
    acceptServerCopy(key, await response.json().catch(() => null));
    board.markConflict(key);
    notify(`"${item.title}" was changed by someone else; your change was not saved.`, 'error');
  } else if (!response.ok) notify(`Could not save "${item.title}" (HTTP ${response.status})`, 'error');
  board.changed();
}

outbox.on('confirmed', (event) => {
  const key = board.resolve(itemKeyOf(event.resource));
  board.clearConflict(key);
  acceptServerCopy(key, event.body);
  board.changed();
});

outbox.on('idmap', (event) => {
  board.rename(itemKeyOf(event.tempUrl), String(event.realId));
  board.changed();
});

outbox.on('conflict', (event) => {
  const key = board.resolve(itemKeyOf(event.resource));
  if (event.waiting) {
    board.markConflict(key);
    board.changed();
    notify(`Your change and someone else's overlap (${event.overlapping.join(', ') || event.reason}): choose below.`, 'error');
    return;
  }
  board.clearConflict(key);
  if (!event.dropped) return;
  board.markConflict(key);
  const title = isTodo(event.server) ? event.server.title : key;
  notify(`"${title}" was changed by someone else while you were offline; the server's version wins. Not saved: ${event.lostFields.join(', ') || 'your change'}.`, 'error');
  void loadBoard().then(() => board.markConflict(board.resolve(key))).then(() => board.changed());
});

outbox.on('rejected', (event) => {
  board.clearConflict(board.resolve(itemKeyOf(event.resource)));
  if (event.reason !== 'cascade') notify(`A change was refused by the server (${event.status ?? event.reason}) and taken back.`, 'error');
  void loadBoard();
});

outbox.subscribeStatus((status) => {
  renderStatus(status, navigator.onLine);
  // Showing offline data with the network back: the board is read again from the server.
  if (status.servedOffline && status.online && navigator.onLine) rereadSoon();
});
addEventListener('online', () => rereadSoon());

let rereading: Promise<void> | null = null;
/** One read of the board at a time, and not more than every two seconds. */
function rereadSoon(): void {
  rereading ??= new Promise((resolve) => setTimeout(resolve, 2000))
    .then(() => loadBoard())
    .finally(() => (rereading = null));
}
addEventListener('online', () => renderStatus(outbox.status, true));
addEventListener('offline', () => renderStatus(outbox.status, false));

document.querySelector('[data-testid="add-form"]')?.addEventListener('submit', (event) => {
  event.preventDefault();
  const input = (event.target as HTMLFormElement).elements.namedItem('title') as HTMLInputElement;
  const title = input.value.trim();
  input.value = '';
  if (title) void addTodo(title);
});

document.querySelector('.columns')?.addEventListener('click', (event) => {
  const target = event.target as HTMLElement;
  const card = target.closest<HTMLElement>('[data-key]');
  const key = card?.dataset.key;
  if (!card || !key) return;
  const action = target.dataset.action;
  if (action === 'toggle') void changeTodo(key, 'PATCH', { done: (target as HTMLInputElement).checked });
  else if (action === 'delete') void changeTodo(key, 'DELETE');
  else if (action === 'edit') startEditing(target, key);
});

/** Inline edit: Enter saves, Escape or leaving unchanged cancels. */
function startEditing(title: HTMLElement, key: string): void {
  const item = board.items.get(key);
  if (!item || title.querySelector('input')) return;
  const input = document.createElement('input');
  input.value = item.title;
  input.setAttribute('data-testid', 'edit-title');
  title.replaceChildren(input);
  input.focus();
  let done = false;
  const finish = (save: boolean): void => {
    if (done) return;
    done = true;
    input.blur();
    const value = input.value.trim();
    if (save && value && value !== item.title) void changeTodo(key, 'PATCH', { title: value });
    else board.changed();
  };
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') finish(true);
    if (event.key === 'Escape') finish(false);
  });
  input.addEventListener('blur', () => finish(true));
}

await loadBoard();
document.body.dataset.ready = 'true';

import type { OutboxStatus } from '../../client/index';
import type { Board } from './board';

const byTestId = <T extends HTMLElement>(id: string): T => document.querySelector(`[data-testid="${id}"]`) as T;

/** Draws the board; DOM built with textContent only, so it runs under a strict CSP. */
export function renderBoard(board: Board): void {
  const lists = { todo: byTestId<HTMLUListElement>('todo-list'), done: byTestId<HTMLUListElement>('done-list') };
  // Never redraw under the user's cursor while a title is being edited; the next change redraws.
  if (document.activeElement?.getAttribute('data-testid') === 'edit-title') return;
  lists.todo.replaceChildren();
  lists.done.replaceChildren();
  for (const [key, todo] of board.sorted()) {
    const state = board.stateOf(key);
    const card = element('li', { class: `card${todo.done ? ' done' : ''}`, 'data-testid': 'item', 'data-key': key, 'data-state': state });
    const toggle = element('input', { type: 'checkbox', 'data-action': 'toggle', 'aria-label': 'done' }) as HTMLInputElement;
    toggle.checked = todo.done;
    const title = element('span', { class: 'title', 'data-testid': 'title', 'data-action': 'edit', title: 'click to edit' });
    title.textContent = todo.title;
    const badge = element('span', { class: 'state', 'data-testid': 'state' });
    badge.textContent = state === 'synced' ? '✓ saved' : state === 'pending' ? '… pending' : '! conflict';
    const remove = element('button', { class: 'ghost', 'data-action': 'delete', 'aria-label': 'delete', type: 'button' });
    remove.textContent = '✕';
    card.append(toggle, title, badge, remove);
    (todo.done ? lists.done : lists.todo).append(card);
  }
}

export function renderStatus(status: OutboxStatus, browserOnline: boolean): void {
  const pill = byTestId('net-status');
  const online = browserOnline && status.online;
  pill.textContent = online ? 'online' : 'offline';
  pill.className = `pill ${online ? 'online' : 'offline'}`;
  const badge = byTestId('pending-count');
  badge.textContent = `${status.pending} pending`;
  badge.className = `badge${status.pending > 0 ? ' busy' : ''}`;
  badge.dataset.count = String(status.pending);
  byTestId('offline-banner').hidden = !status.servedOffline;
}

export function notify(text: string, kind: 'info' | 'error' = 'info'): void {
  const notice = element('div', { class: `notice ${kind}`, 'data-testid': 'notice' });
  notice.textContent = text;
  byTestId('notices').prepend(notice);
}

function element(tag: string, attributes: Record<string, string>): HTMLElement {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

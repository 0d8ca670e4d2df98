import type { EntrySummary, OutboxClient } from '../../client/index';
import type { Todo } from './board';

/** The fields a person compares: the rest (id, version, times) is the server's business. */
const fields = ['title', 'done', 'notes'] as const;
type Field = (typeof fields)[number];

interface Waiting {
  id: string;
  base: Partial<Todo> | null;
  mine: Partial<Todo>;
  theirs: Partial<Todo>;
}

/**
 * Shows a write that waits on a conflict: base, mine and theirs side by side, each field
 * pre-filled with the side that changed it; the user picks or edits, then sends, or keeps theirs.
 */
export class ConflictPanel {
  private readonly root = document.querySelector<HTMLElement>('[data-testid="conflict-panel"]')!;
  private readonly shown = new Set<string>();

  constructor(private readonly outbox: OutboxClient) {}

  /** Opens a panel for every write of the queue that waits on a conflict. */
  showWaiting(entries: EntrySummary[]): void {
    for (const entry of entries) {
      if (entry.state !== 'conflict' || this.shown.has(entry.id)) continue;
      const base = (entry.base ?? null) as Partial<Todo> | null;
      const change = (entry.json ?? {}) as Partial<Todo>;
      const mine = entry.method === 'PATCH' ? { ...(base ?? {}), ...change } : change;
      this.open({ id: entry.id, base, mine, theirs: (entry.server ?? {}) as Partial<Todo> });
    }
  }

  private open(waiting: Waiting): void {
    this.shown.add(waiting.id);
    const form = document.createElement('form');
    form.className = 'conflict';
    form.setAttribute('data-testid', 'conflict');
    const heading = document.createElement('h3');
    heading.textContent = `“${String(waiting.theirs.title ?? waiting.mine.title ?? '')}” was changed here and elsewhere`;
    const table = document.createElement('table');
    table.append(row('th', ['', 'base', 'mine', 'theirs', 'send']));
    for (const field of fields) {
      const cells = row('td', [field, show(waiting.base?.[field]), show(waiting.mine[field]), show(waiting.theirs[field])]);
      const input = document.createElement('input');
      input.name = field;
      input.setAttribute('data-testid', `resolve-${field}`);
      input.value = show(pick(waiting, field));
      const cell = document.createElement('td');
      cell.append(input);
      cells.append(cell);
      table.append(cells);
    }
    const send = button('Send this', 'resolve-send');
    const keepTheirs = button('Keep theirs', 'resolve-theirs');
    keepTheirs.type = 'button';
    form.append(heading, table, send, keepTheirs);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const body = Object.fromEntries(fields.map((field) => [field, parse(field, (form.elements.namedItem(field) as HTMLInputElement).value)]));
      void this.outbox.resolve(waiting.id, { body }).then(() => form.remove());
    });
    keepTheirs.addEventListener('click', () => void this.outbox.resolve(waiting.id, { discard: true }).then(() => form.remove()));
    this.root.append(form);
  }
}

/** Mine where I changed the field, else theirs. */
function pick(waiting: Waiting, field: Field): unknown {
  const changedByMe = JSON.stringify(waiting.mine[field]) !== JSON.stringify(waiting.base?.[field]);
  return changedByMe ? waiting.mine[field] : waiting.theirs[field];
}

function show(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}

function parse(field: Field, value: string): unknown {
  return field === 'done' ? value === 'true' : value;
}

function row(cell: 'td' | 'th', texts: string[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  for (const text of texts) {
    const element = document.createElement(cell);
    element.textContent = text;
    tr.append(element);
  }
  return tr;
}

function button(text: string, testId: string): HTMLButtonElement {
  const element = document.createElement('button');
  element.textContent = text;
  element.setAttribute('data-testid', testId);
  return element;
}

import type { PendingWrite } from '../../client/index';

export interface Todo {
  id: number | string;
  title: string;
  done: boolean;
  notes: string;
  version: number;
}

export type CardState = 'synced' | 'pending' | 'conflict';

/**
 * The board as this tab sees it: the server's items, which the worker answers with this browser's
 * unsent writes laid over them, and which cards have writes still waiting.
 */
export class Board {
  readonly items = new Map<string, Todo>();
  /** Outbox ids of writes still waiting, by item. */
  private readonly pending = new Map<string, Set<string>>();
  private readonly conflicts = new Set<string>();
  /** Temporary keys that became real ones, so an undo made before the rename still finds its card. */
  private readonly renamed = new Map<string, string>();
  private readonly listeners = new Set<() => void>();

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  changed(): void {
    for (const listener of this.listeners) listener();
  }

  load(todos: Todo[]): void {
    this.items.clear();
    for (const todo of todos) this.items.set(String(todo.id), todo);
  }

  /** Which cards have writes still waiting, as the worker has them now (a watch over the board's items). */
  showPending(writes: PendingWrite[]): void {
    this.pending.clear();
    for (const write of writes) {
      const key = itemKeyOf(write.resource);
      const ids = this.pending.get(key) ?? new Set<string>();
      ids.add(write.id);
      this.pending.set(key, ids);
    }
  }

  stateOf(key: string): CardState {
    if (this.conflicts.has(key)) return 'conflict';
    return (this.pending.get(key)?.size ?? 0) > 0 ? 'pending' : 'synced';
  }

  hasPending(key: string): boolean {
    return (this.pending.get(key)?.size ?? 0) > 0;
  }

  /** The card has a new write, or the server settled one: a conflict mark it had is gone. */
  clearConflict(key: string): void {
    this.conflicts.delete(key);
  }

  markConflict(key: string): void {
    this.conflicts.add(key);
  }

  resolve(key: string): string {
    return this.renamed.get(key) ?? key;
  }

  /** A temporary id became a real one: the card keeps its place and its marks. */
  rename(from: string, to: string): void {
    if (from === to) return;
    this.renamed.set(from, to);
    const item = this.items.get(from);
    if (item) {
      this.items.delete(from);
      this.items.set(to, { ...item, id: /^\d+$/.test(to) ? Number(to) : to });
    }
    const ids = this.pending.get(from);
    if (ids) {
      this.pending.delete(from);
      this.pending.set(to, ids);
    }
  }

  sorted(): [string, Todo][] {
    return [...this.items.entries()].sort(([a], [b]) => compareKeys(a, b));
  }
}

/** The item key of a resource URL or path: its last segment (a real or temporary id). */
export function itemKeyOf(resource: string): string {
  return decodeURIComponent(new URL(resource, 'http://x').pathname.replace(/\/+$/, '').split('/').pop() ?? '');
}

/** Real ids in creation order, temporary ones (not on the server yet) after them. */
function compareKeys(a: string, b: string): number {
  const [na, nb] = [Number(a), Number(b)];
  if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  if (Number.isFinite(na)) return -1;
  if (Number.isFinite(nb)) return 1;
  return 0;
}

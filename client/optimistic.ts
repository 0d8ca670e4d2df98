/** An optimistic change the app made at once, and how to take it back. */
interface Pending {
  id: string;
  order: number;
  undo: () => void;
}

/**
 * Keeps each resource's optimistic changes in the order they were made. A failed write takes
 * back itself and every later change of its resource, newest first, because those were made on
 * top of it (docs/protocol.md, Events).
 */
export class OptimisticStore {
  private readonly byResource = new Map<string, Pending[]>();
  private readonly resourceOf = new Map<string, string>();
  private order = 0;

  register(id: string, resource: string, undo: () => void): void {
    const list = this.byResource.get(resource) ?? [];
    list.push({ id, order: this.order++, undo });
    this.byResource.set(resource, list);
    this.resourceOf.set(id, resource);
  }

  has(id: string): boolean {
    return this.resourceOf.has(id);
  }

  /** The write reached the server: its change stays, nothing to undo any more. */
  confirm(id: string): void {
    const resource = this.resourceOf.get(id);
    if (resource === undefined) return;
    this.forget(resource, (item) => item.id === id);
  }

  /** Undoes the change of `id` and every later one of the same resource, newest first; returns their ids. */
  rollback(id: string): string[] {
    const resource = this.resourceOf.get(id);
    if (resource === undefined) return [];
    const list = this.byResource.get(resource) ?? [];
    const from = list.find((item) => item.id === id)?.order ?? Infinity;
    const undone = list.filter((item) => item.order >= from).sort((a, b) => b.order - a.order);
    this.forget(resource, (item) => item.order >= from);
    for (const item of undone) item.undo();
    return undone.map((item) => item.id);
  }

  /** Moves a resource's changes to its new key (a temporary id became a real one). */
  rename(from: string, to: string): void {
    const list = this.byResource.get(from);
    if (!list) return;
    this.byResource.delete(from);
    this.byResource.set(to, [...(this.byResource.get(to) ?? []), ...list]);
    for (const item of list) this.resourceOf.set(item.id, to);
  }

  size(): number {
    return this.resourceOf.size;
  }

  private forget(resource: string, matches: (item: Pending) => boolean): void {
    const list = this.byResource.get(resource) ?? [];
    for (const item of list) if (matches(item)) this.resourceOf.delete(item.id);
    const kept = list.filter((item) => !matches(item));
    if (kept.length > 0) this.byResource.set(resource, kept);
    else this.byResource.delete(resource);
  }
}

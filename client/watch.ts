import type { EntrySummary, OutboxEvent } from '../protocol';
import { PendingWrites, type PendingWrite, type WatchChange } from './pending-writes';

/** What a watching view is told: the change, and every write pending now for what it watches. */
export interface WatchUpdate {
  change: WatchChange;
  pending: PendingWrite[];
}

export type WatchListener = (update: WatchUpdate) => void;

/**
 * A path pattern a view watches: a resource (`/api/todos/5`) or a pattern in which `*` stands for
 * one path segment (`/api/todos/*`), relative to the page's origin or absolute.
 */
export class PathPattern {
  private readonly origin: string;
  private readonly segments: string[];

  constructor(pattern: string, base: string) {
    const url = new URL(pattern, base);
    this.origin = url.origin;
    this.segments = segmentsOf(url.pathname);
  }

  /** Whether a resource (origin and path) is one the pattern names. */
  matches(resource: string): boolean {
    const url = new URL(resource);
    if (url.origin !== this.origin) return false;
    const segments = segmentsOf(url.pathname);
    return segments.length === this.segments.length && this.segments.every((segment, index) => segment === '*' || segment === segments[index]);
  }
}

function segmentsOf(pathname: string): string[] {
  return pathname.replace(/\/+$/, '').split('/').filter(Boolean);
}

/** A view's watch: its pattern and listener. A rename concerns it when either URL matches. */
export class Watch {
  constructor(private readonly pattern: PathPattern, private readonly listener: WatchListener) {}

  /** Tells the listener of a change that concerns its pattern, with the writes pending for it. */
  notify(change: WatchChange, all: PendingWrite[]): void {
    if (!this.concerns(change)) return;
    this.listener({ change, pending: all.filter((write) => this.pattern.matches(write.resource)) });
  }

  private concerns(change: WatchChange): boolean {
    if (change.type === 'snapshot') return true;
    if (change.type === 'renamed') return this.pattern.matches(change.from) || this.pattern.matches(change.to);
    return this.pattern.matches(change.resource);
  }
}

/**
 * Every view's watch over the pending writes: it follows the worker's events (and its list after a
 * (re)connect) and tells each view what concerns the resources it watches, so a view re-renders
 * just what changed (docs/protocol.md, Events).
 */
export class Watches {
  private readonly pending = new PendingWrites();
  private readonly watches = new Set<Watch>();

  constructor(private readonly base: string) {}

  /** Starts a watch; the listener hears the current snapshot at once. Returns the function that stops it. */
  add(pattern: string, listener: WatchListener): () => void {
    const watch = new Watch(new PathPattern(pattern, this.base), listener);
    this.watches.add(watch);
    watch.notify({ type: 'snapshot' }, this.pending.all());
    return () => this.watches.delete(watch);
  }

  /** The worker's list, after a (re)connect: every view hears a snapshot. */
  reset(list: EntrySummary[]): void {
    this.pending.reset(list);
    this.tell({ type: 'snapshot' });
  }

  follow(event: OutboxEvent): void {
    const change = this.pending.apply(event);
    if (change) this.tell(change);
  }

  private tell(change: WatchChange): void {
    const all = this.pending.all();
    for (const watch of this.watches) watch.notify(change, all);
  }
}

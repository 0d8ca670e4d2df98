import { outboxHeaders, type OutboxEvent } from '../protocol';
import { OptimisticStore } from './optimistic';

/** An optimistic change for `outbox.fetch`: apply it now, and return (or give) its undo. */
export interface OptimisticChange {
  apply?: () => void | (() => void);
  undo?: () => void;
  /** The representation the user's change was made from: what a `merge` merges against. */
  base?: unknown;
}

/** Outcomes of writes that arrived before their page's `fetch` returned: only the last few matter. */
const earlyOutcomeLimit = 200;

/**
 * Binds the app's optimistic changes to the worker's events: a confirmed write keeps its change,
 * a rejected one (or one whose conflict dropped it) undoes it and every later change of its
 * resource, newest first (docs/protocol.md, Events). An outcome can come before the page's
 * `fetch` has even returned its `202`; it is remembered for the moment the change is tracked.
 */
export class OptimisticTracker {
  private readonly store = new OptimisticStore();
  private readonly earlyOutcomes = new Map<string, 'confirmed' | 'failed'>();

  /**
   * `fetch`, with an optimistic change bound to the write: applied now, kept when the server
   * confirms, undone (with every later change of the same resource) when it refuses.
   */
  async fetch(input: RequestInfo | URL, init: RequestInit | undefined, change: OptimisticChange): Promise<Response> {
    const undo = change.apply?.() ?? change.undo;
    let response: Response;
    try {
      const headers = new Headers(init?.headers);
      if (change.base !== undefined) headers.set(outboxHeaders.base, JSON.stringify(change.base));
      response = await fetch(input, { ...init, headers });
    } catch (error) {
      undo?.();
      throw error;
    }
    const id = response.headers.get(outboxHeaders.id);
    const resource = response.headers.get(outboxHeaders.resource);
    if (response.status === 202 && id && resource) {
      if (undo) this.track(id, resource, undo);
    } else if (!response.ok) {
      undo?.();
    }
    return response;
  }

  /** Registers the undo of an optimistic change against a queued write (`Outbox-Id`). */
  track(id: string, resource: string, undo: () => void): void {
    const early = this.earlyOutcomes.get(id);
    this.earlyOutcomes.delete(id);
    if (early === 'confirmed') return;
    if (early === 'failed') return undo();
    this.store.register(id, resource, undo);
  }

  /** What an event means for the changes tracked. */
  apply(event: OutboxEvent): void {
    switch (event.type) {
      case 'resolved':
      case 'confirmed':
        // A cancelled write (a never-sent create, then its delete) stands as the user made it.
        if (event.type === 'resolved' && event.how !== 'cancelled') break;
        this.settle(event.id, 'confirmed');
        break;
      case 'rejected':
      case 'conflict':
        if (event.type === 'conflict' && !event.dropped) break;
        this.settle(event.id, 'failed');
        break;
      case 'idmap':
        this.store.rename(event.tempUrl, event.realUrl);
        break;
      default:
        break;
    }
  }

  private settle(id: string, outcome: 'confirmed' | 'failed'): void {
    if (!this.store.has(id)) {
      this.earlyOutcomes.set(id, outcome);
      if (this.earlyOutcomes.size > earlyOutcomeLimit) this.earlyOutcomes.delete(this.earlyOutcomes.keys().next().value as string);
    } else if (outcome === 'confirmed') this.store.confirm(id);
    else this.store.rollback(id);
  }
}

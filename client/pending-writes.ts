import type { EntrySummary, OutboxEvent } from '../protocol';

/** A write still pending, as a view watching its resource sees it. */
export interface PendingWrite {
  id: string;
  method: string;
  url: string;
  resource: string;
  tempId: string | null;
}

/** What happened to a resource a view watches. */
export type WatchChange =
  /** The list of pending writes is as the worker has it now (at the start, and after a reconnect). */
  | { type: 'snapshot' }
  | { type: 'pending'; resource: string; write: PendingWrite }
  /** Confirmed by the server, with its representation and version. */
  | { type: 'confirmed'; resource: string; id: string; body: unknown; version: string | null }
  /** Will not reach the server: the view shows the server's state again. */
  | { type: 'rolled-back'; resource: string; id: string; reason: string }
  | { type: 'conflict'; resource: string; id: string; waiting: boolean; server: unknown }
  /** A create's temporary URL became its real one. */
  | { type: 'renamed'; from: string; to: string };

/**
 * The writes still pending, by id, kept from the worker's list and its events; and what each
 * event means for a resource, as a `WatchChange` (null when it changes nothing a view shows).
 */
export class PendingWrites {
  private readonly writes = new Map<string, PendingWrite>();

  /** Starts again from the worker's list (after a (re)connect). */
  reset(list: EntrySummary[]): void {
    this.writes.clear();
    for (const entry of list) {
      if (entry.state !== 'dead') this.writes.set(entry.id, { id: entry.id, method: entry.method, url: entry.url, resource: entry.resource, tempId: entry.tempId });
    }
  }

  all(): PendingWrite[] {
    return [...this.writes.values()];
  }

  /** Follows one event; returns what it changed for the resource it concerns. */
  apply(event: OutboxEvent): WatchChange | null {
    switch (event.type) {
      case 'queued': {
        const write = { id: event.id, method: event.method, url: event.url, resource: event.resource, tempId: event.tempId };
        this.writes.set(write.id, write);
        return { type: 'pending', resource: write.resource, write };
      }
      case 'confirmed':
        this.writes.delete(event.id);
        return { type: 'confirmed', resource: event.resource, id: event.id, body: event.body, version: event.version };
      case 'rejected':
        this.writes.delete(event.id);
        return { type: 'rolled-back', resource: event.resource, id: event.id, reason: event.reason };
      case 'resolved':
        // A write settled by a conflict's answer is sent again; a cancelled one is simply gone.
        if (event.how !== 'cancelled') return null;
        this.writes.delete(event.id);
        return { type: 'confirmed', resource: event.resource, id: event.id, body: null, version: null };
      case 'conflict':
        if (event.dropped) this.writes.delete(event.id);
        return event.dropped
          ? { type: 'rolled-back', resource: event.resource, id: event.id, reason: 'conflict' }
          : { type: 'conflict', resource: event.resource, id: event.id, waiting: event.waiting, server: event.server };
      case 'idmap':
        for (const write of this.writes.values()) {
          if (write.resource === event.tempUrl || write.resource.startsWith(`${event.tempUrl}/`)) {
            write.resource = event.realUrl + write.resource.slice(event.tempUrl.length);
            write.url = write.url.replace(event.tempUrl, event.realUrl);
          }
        }
        return { type: 'renamed', from: event.tempUrl, to: event.realUrl };
      default:
        return null;
    }
  }
}

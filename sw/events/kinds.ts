import type { NewEvent } from '../../protocol';
import { idsOf, jsonBodyOf, type StoredEntry } from '../log/entry';
import type { IdMapping } from '../log/remap';
import { lostFields } from '../json/json';

/**
 * One constructor for each event the worker tells pages (docs/protocol.md, Events). Those about a
 * write's fate come once for the write and once for each write merged into it: they share it.
 */

/** A write was committed to the log. */
export function queuedEvent(entry: StoredEntry): NewEvent {
  return { type: 'queued', id: entry.id, method: entry.method, url: entry.url, resource: entry.resource, tempId: entry.tempId };
}

/** A write goes on the wire (attempt counts from 1). */
export function sentEvent(entry: StoredEntry): NewEvent {
  return { type: 'sent', id: entry.id, resource: entry.resource, attempt: entry.attempts + 1 };
}

/** The server confirmed the write; `live` when the page was still waiting on it. */
export function confirmedEvents(entry: StoredEntry, answer: { status: number; body: unknown; version: string | null }, live: boolean): NewEvent[] {
  return idsOf(entry).map((id) => ({ type: 'confirmed', id, resource: entry.resource, ...answer, live }));
}

/** The write will be sent again at `nextAttemptAt`. */
export function retryingEvent(entry: StoredEntry, reason: string): NewEvent {
  return {
    type: 'retrying', id: entry.id, resource: entry.resource, attempt: entry.attempts,
    nextAttemptAt: Math.max(entry.nextAttemptAt, entry.notBefore), reason,
  };
}

/** What a version conflict met, and what became of the local change. */
export interface ConflictReport {
  status: number;
  local: unknown;
  server: unknown;
  /** The local change is dropped (and `lostFields` says what went). */
  dropped: boolean;
  /** The write waits for a person; why, and the fields both sides changed. */
  waiting: { reason: string; overlapping: string[] } | null;
}

export function conflictEvents(entry: StoredEntry, report: ConflictReport): NewEvent[] {
  return idsOf(entry).map((id) => ({
    type: 'conflict', id, resource: entry.resource, status: report.status, strategy: entry.conflict,
    base: entry.baseRepresentation, local: report.local, server: report.server,
    dropped: report.dropped, lostFields: report.dropped ? lostFields(report.local, report.server) : [],
    waiting: report.waiting !== null, reason: report.waiting?.reason ?? null, overlapping: report.waiting?.overlapping ?? [],
  }));
}

/** A conflict or a cancellation settled the write (`how`: `merge`, `client-wins`, `manual`, `discarded`, `cancelled`, …). */
export function resolvedEvents(entry: StoredEntry, how: string): NewEvent[] {
  return idsOf(entry).map((id) => ({ type: 'resolved', id, resource: entry.resource, how }));
}

/**
 * The write will not reach the server. `answer` is the server's, when it was the server that said
 * no; without one (`cascade`, `cleared`, `deleted`, `discarded`) the reason is the worker's.
 */
export function rejectedEvents(entry: StoredEntry, reason: string, answer: { status: number; body: unknown } | null, live: boolean): NewEvent[] {
  const lost = lostFields(jsonBodyOf(entry), null);
  return idsOf(entry).map((id) => ({
    type: 'rejected', id, resource: entry.resource, status: answer?.status ?? null, body: answer?.body ?? null, reason, live, lostFields: lost,
  }));
}

/** The write waits for fresh credentials. */
export function heldEvent(entry: StoredEntry, status: number | null, reason: string): NewEvent {
  return { type: 'held', id: entry.id, resource: entry.resource, status, reason };
}

/** A create's temporary id became its real one. */
export function idMapEvent(mapping: IdMapping): NewEvent {
  return { type: 'idmap', tempId: mapping.tempId, realId: mapping.realId, tempUrl: mapping.tempUrl, realUrl: mapping.realUrl };
}

/** A new worker version took over. */
export function activatedEvent(instance: string, logVersion: number): NewEvent {
  return { type: 'activated', instance, logVersion };
}

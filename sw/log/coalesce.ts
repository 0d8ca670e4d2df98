import { jsonBodyOf, type StoredEntry } from './entry';
import { applyMergePatch, composeMergePatches } from '../json/merge-patch';
import { isRecord, jsonBytes } from '../json/json';

/** What becomes of a new write next to the unsent writes of its resource. */
export type Coalesced =
  /** Stays a write of its own. */
  | { kind: 'append' }
  /** Rides on the previous write, rewritten to carry both changes. */
  | { kind: 'merge'; into: StoredEntry }
  /** A delete of a create the server never saw: both go, and nothing is sent. */
  | { kind: 'cancel'; removed: StoredEntry[] };

/** A write that has never left the browser: no attempt, no failure, not in flight now. */
export function isUnsent(entry: StoredEntry, sending: (id: string) => boolean): boolean {
  return entry.state === 'queued' && entry.attempts === 0 && entry.failures === 0 && !sending(entry.id);
}

/**
 * Coalescing (docs/protocol.md, Replay): unsent PATCHes of a resource compose (JSON merge patch), a PUT supersedes
 * earlier unsent writes, a DELETE of a never-sent create cancels the lot. `lane` is the
 * resource's queued writes, oldest first; `next` the new write, already chained to them.
 * Only what the server's final state would show the same way is merged.
 */
export function coalesce(lane: StoredEntry[], next: StoredEntry, sending: (id: string) => boolean): Coalesced {
  const previous = lane.at(-1);
  if (!next.coalesce || !previous || !previous.coalesce || !next.chained || !isUnsent(previous, sending)) return { kind: 'append' };

  if (next.method === 'DELETE') {
    const [first] = lane;
    const createdHere = first?.method === 'POST' && first.tempId !== null;
    return createdHere && lane.every((entry) => isUnsent(entry, sending)) ? { kind: 'cancel', removed: lane } : { kind: 'append' };
  }
  if (!['POST', 'PUT', 'PATCH'].includes(previous.method)) return { kind: 'append' };
  const before = jsonBodyOf(previous);
  const change = jsonBodyOf(next);
  if (!isRecord(before) || !isRecord(change)) return { kind: 'append' };

  let method = previous.method;
  let body: unknown;
  if (next.method === 'PUT') {
    // A PUT is the whole new state: it replaces an unsent PATCH or PUT, and becomes a create's body.
    body = change;
    if (previous.method !== 'POST') method = 'PUT';
  } else if (next.method === 'PATCH') {
    body = previous.method === 'PATCH' ? composeMergePatches(before, change) : applyMergePatch(before, change);
  } else {
    return { kind: 'append' };
  }
  const into: StoredEntry = {
    ...previous,
    method,
    body: jsonBytes(body),
    coalesced: [...previous.coalesced, next.id],
  };
  return { kind: 'merge', into };
}

import type { EntryDraft, StoredEntry } from './entry';
import type { KnownVersion } from './learning';

/**
 * Places a new write on its resource's lane: the version and representation it is based on, and
 * whether it is chained to the write before it. A write made on top of the user's own unsent
 * write is based on what that one will return, so a user's offline edits never conflict with each
 * other (docs/protocol.md, Versions). A base the page sent along wins over what the worker knows:
 * it is what the user saw. `known` is what the worker knows of the resource, for versioned writes.
 */
export function placeInLane(draft: EntryDraft, previous: StoredEntry | undefined, known: KnownVersion | undefined): StoredEntry {
  const requestedBase = draft.requestedBase ?? known?.version ?? null;
  const chained = previous !== undefined && (draft.requestedBase === null || draft.requestedBase === previous.requestedBase);
  return {
    ...draft,
    requestedBase,
    baseRepresentation: draft.baseRepresentation ?? known?.representation ?? null,
    lane: draft.resource,
    chained,
    baseVersion: chained ? null : requestedBase,
    coalesced: [],
  };
}

/**
 * The next write of a lane once the one before it is confirmed with `version`: a chained one is now
 * based on it, and on the user's own write, so it needs no read to verify it (one per lane head).
 */
export function rebasedOn(next: StoredEntry, version: string | null): StoredEntry {
  return next.chained ? { ...next, baseVersion: version, chained: false, basedOnOwn: true } : next;
}

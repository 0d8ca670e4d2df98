import type { VerifyMode } from '../../protocol';
import { isRecord, sameJson as same } from '../json/json';
import type { StoredEntry } from '../log/entry';

/**
 * Verification before a write that waited (docs/protocol.md, Verification): the pure rules of when
 * the worker reads a resource before sending a write to it, and what the read means.
 */

/** Methods whose writes change an existing resource: the only ones a read can verify. */
const changesExisting = new Set(['PUT', 'PATCH', 'DELETE']);

/**
 * Whether `entry` must be verified before it goes: the route carries versions, the write has a
 * base representation to compare but no version to send, and it is not based on a write of the
 * user's own (that one's answer brought what it is based on: one read per lane head, not per write). `live`: the page is waiting on it now;
 * `waited` verifies only replays, `always` live writes too.
 */
export function needsVerification(entry: StoredEntry, mode: VerifyMode, live: boolean): boolean {
  if (mode === 'off' || (mode === 'waited' && live)) return false;
  return (
    entry.versioned &&
    changesExisting.has(entry.method) &&
    entry.baseVersion === null &&
    !entry.chained &&
    !entry.basedOnOwn &&
    entry.baseRepresentation !== null &&
    entry.baseRepresentation !== undefined
  );
}

/** What the server's current representation says of the base a write was made from. */
export type Verdict =
  /** The fields the write is about are as the user saw them: the write may go. */
  | { kind: 'unchanged' }
  /** Someone changed them since: a conflict, for the route's strategy; `fields` are those that differ. */
  | { kind: 'changed'; fields: string[] };

/**
 * Compares the server's representation with the write's base over the fields the write is about:
 * those a PATCH's merge patch names; every field of the base for a PUT or a DELETE (what a PUT
 * replaces and a DELETE removes is the whole resource). Bodies that are not JSON objects compare
 * whole.
 */
export function verdictOf(method: string, base: unknown, local: unknown, server: unknown): Verdict {
  if (!isRecord(base) || !isRecord(server)) return same(base, server) ? { kind: 'unchanged' } : { kind: 'changed', fields: [] };
  const fields = method === 'PATCH' && isRecord(local) ? Object.keys(local) : Object.keys(base);
  const differing = fields.filter((field) => !same(base[field], server[field]));
  return differing.length === 0 ? { kind: 'unchanged' } : { kind: 'changed', fields: differing };
}

/** What a read answered 404 or 410 means for the write (docs/protocol.md, Verification). */
export type GoneAction = 'confirm' | 'reject';

/** A DELETE of a resource already gone has what it asked for; a change to it has nothing to change. */
export function whenGone(method: string): GoneAction {
  return method === 'DELETE' ? 'confirm' : 'reject';
}

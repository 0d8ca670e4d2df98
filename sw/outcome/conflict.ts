import type { ConflictStrategy } from '../../protocol';
import { isRecord } from '../json/json';
import { applyMergePatch } from '../json/merge-patch';
import { threeWayMerge } from '../json/three-way-merge';

/** What to do with a write the server refused for its version (docs/protocol.md, Conflicts). */
export type ConflictAction =
  /** The server's state stands; the local change is dropped (and said to be). */
  | { kind: 'drop' }
  /** Send again against the server's current version: the same body (`body` undefined) or a merged one. */
  | { kind: 'resend'; body?: unknown; how: 'client-wins' | 'last-write-wins' | 'merge' }
  /** Wait for a person: the pages are asked with base, local and server. */
  | { kind: 'wait'; reason: string; overlapping: string[] };

export interface ConflictInput {
  strategy: ConflictStrategy;
  method: string;
  /** The write's JSON body (a merge patch for PATCH), or null. */
  local: unknown;
  /** The representation the write was made from, or null when the worker never saw one. */
  base: unknown;
  /** The server's current representation, from the conflict answer. */
  server: unknown;
  /** When the local change was made, and when the server's state was (null: it does not say). */
  localTime: number;
  serverTime: number | null;
}

/** The strategy's decision for one conflict; pure, so every strategy is unit-tested alone. */
export function decideConflict(input: ConflictInput): ConflictAction {
  switch (input.strategy) {
    case 'server-wins':
      return { kind: 'drop' };
    case 'client-wins':
      return { kind: 'resend', how: 'client-wins' };
    case 'last-write-wins':
      // A server that does not say when its state was made is taken to be older than the user's
      // change: the change was made after the version it was based on.
      return input.serverTime !== null && input.serverTime > input.localTime ? { kind: 'drop' } : { kind: 'resend', how: 'last-write-wins' };
    case 'manual':
      return { kind: 'wait', reason: 'manual', overlapping: [] };
    case 'merge':
      return decideMerge(input);
  }
}

function decideMerge({ method, local, base, server }: ConflictInput): ConflictAction {
  if (base === null || base === undefined) return { kind: 'wait', reason: 'no base representation to merge against', overlapping: [] };
  if (method === 'DELETE') return { kind: 'wait', reason: 'deleting what was changed meanwhile', overlapping: [] };
  if (!isRecord(local) || !isRecord(server)) return { kind: 'wait', reason: 'not JSON objects', overlapping: [] };
  const mine = method === 'PATCH' ? applyMergePatch(base, local) : local;
  const merged = threeWayMerge(base, mine, server);
  if (!merged.ok) return { kind: 'wait', reason: 'overlapping changes', overlapping: merged.overlapping };
  // Without overlaps, the same patch applied to the server's state gives the merged document.
  return method === 'PATCH' ? { kind: 'resend', how: 'merge' } : { kind: 'resend', body: merged.merged, how: 'merge' };
}


/** When the server's state was made: `Last-Modified`, else an `updatedAt` field of its representation. */
export function serverTimeOf(lastModified: string | null, representation: unknown): number | null {
  const stamp = lastModified ?? (isRecord(representation) && typeof representation.updatedAt === 'string' ? representation.updatedAt : null);
  const time = stamp === null ? Number.NaN : Date.parse(stamp);
  return Number.isNaN(time) ? null : time;
}

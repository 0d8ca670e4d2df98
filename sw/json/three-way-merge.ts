/** Three-way merge of JSON documents (the `merge` strategy, docs/protocol.md): fields, recursively; arrays are values. */
import { isRecord, sameJson as same } from './json';

export type MergeResult =
  | { ok: true; merged: unknown }
  /** Both sides changed these fields differently: a person has to choose. */
  | { ok: false; overlapping: string[] };

/**
 * Merges `mine` and `theirs`, both made from `base`: a field changed on one side only takes that
 * side's value; changed on both to the same value is no conflict; changed on both differently is.
 * A field deleted on one side and left alone on the other is deleted.
 */
export function threeWayMerge(base: unknown, mine: unknown, theirs: unknown): MergeResult {
  const overlapping: string[] = [];
  const merged = mergeValue(base, mine, theirs, '', overlapping);
  return overlapping.length > 0 ? { ok: false, overlapping } : { ok: true, merged };
}

function mergeValue(base: unknown, mine: unknown, theirs: unknown, path: string, overlapping: string[]): unknown {
  if (same(mine, theirs)) return mine;
  if (same(mine, base)) return theirs;
  if (same(theirs, base)) return mine;
  if (isRecord(mine) && isRecord(theirs)) {
    const from = isRecord(base) ? base : {};
    const result: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(from), ...Object.keys(mine), ...Object.keys(theirs)])) {
      const value = mergeValue(from[key], mine[key], theirs[key], path ? `${path}.${key}` : key, overlapping);
      if (value !== undefined) result[key] = value;
    }
    return result;
  }
  overlapping.push(path || '(document)');
  return mine;
}

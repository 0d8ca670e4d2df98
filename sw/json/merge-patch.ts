/** JSON Merge Patch (RFC 7396): applying a patch, and composing two into one. */
import { isRecord } from './json';

type Json = unknown;

/** The document `target` becomes once `patch` is applied: null deletes, objects merge, the rest replaces. */
export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isRecord(patch)) return patch;
  const result: Record<string, Json> = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/**
 * One patch with the effect of `first` then `second` on any document. Unlike applying, a null
 * must stay in the result, so that the composed patch still deletes the field on the server.
 */
export function composeMergePatches(first: Json, second: Json): Json {
  if (!isRecord(second) || !isRecord(first)) return second;
  const result: Record<string, Json> = { ...first };
  for (const [key, value] of Object.entries(second)) {
    const earlier = result[key];
    result[key] = isRecord(value) && isRecord(earlier) ? composeMergePatches(earlier, value) : value;
  }
  return result;
}

import type { OutboxConfig } from '../../protocol';
import type { StoredEntry } from '../log/entry';
import { needsVerification } from '../verify/rule';

/**
 * Which writes go in a batch, and how a batch is cut (docs/protocol.md, Batch replay): pure rules.
 */

/** A body larger than this goes alone: one large write should not hold a batch of small ones up. */
export const aloneAboveBytes = 64 * 1024;

/**
 * Whether a lane's head may go in a batch. It goes alone when its body is large, when it must be
 * verified first (its read decides how it goes), or when it needs credentials from a page (those
 * are the caller's for one request; a batch carries only what the browser attaches itself).
 */
export function goesInBatch(entry: StoredEntry, config: Pick<OutboxConfig, 'verify'>): boolean {
  return !entry.needsCredentials && !needsVerification(entry, config.verify, false) && (entry.body?.byteLength ?? 0) <= aloneAboveBytes;
}

/** `items` cut into runs of at most `size`, in order. */
export function inRunsOf<T>(items: readonly T[], size: number): T[][] {
  const runs: T[][] = [];
  for (let start = 0; start < items.length; start += size) runs.push(items.slice(start, start + size));
  return runs;
}

/** A batch over the server's limits, cut in two halves (a single write then goes alone). */
export function halves<T>(items: readonly T[]): [T[], T[]] {
  const middle = Math.ceil(items.length / 2);
  return [items.slice(0, middle), items.slice(middle)];
}

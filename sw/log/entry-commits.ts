import type { EntriesTx } from './database';
import type { EntryDraft, StoredEntry } from './entry';
import { placeInLane, rebasedOn } from './chain';
import { coalesce } from './coalesce';
import { laneAfter, remapEntry, type IdMapping } from './remap';
import { rewriteKept, type KeptRewrite } from './kept-reads';
import type { KnownVersions } from './known-versions';

// The two changes of the log that go through a group commit, as they run inside its transaction:
// storing only; where a write stands, what merges and how ids are rewritten are the rules' (chain.ts,
// coalesce.ts, remap.ts).

/** Tells the log which writes are on the wire now: those are never rewritten. */
export type SendingCheck = (id: string) => boolean;

/** What a confirmed write's answer means for the log. */
export interface ConfirmResult {
  version: string | null;
  representation: unknown;
  mapping: IdMapping | null;
  /** The kept reads the confirmed write is laid over, in the same transaction. */
  kept?: KeptRewrite;
}

/** Where a confirmation leaves the lane: its name now (a remap renames it) and its new head. */
export interface LaneAfterConfirm {
  lane: string;
  head: StoredEntry | undefined;
}

/** Result of committing one write. */
export interface Appended {
  entry: StoredEntry;
  /** No earlier write of the same resource is waiting: this one may be sent now. */
  isHead: boolean;
  /**
   * `queued`: a write of its own; `merged`: it rides on an earlier unsent write (the entry is
   * that write); `cancelled`: it cancelled a never-sent create, and `removed` lists what went.
   */
  outcome: 'queued' | 'merged' | 'cancelled';
  removed: StoredEntry[];
}

/**
 * The body of `append`, inside a group commit's transaction. A write of its own is `placed` as
 * soon as its add is asked for: from then on nothing can be merged into it unseen, and every
 * later change of it is found by its id, not by the place the add will give it.
 */
export async function appendInTx(tx: EntriesTx, draft: EntryDraft, isSending: SendingCheck, placed: (appended: Appended) => void, versions: KnownVersions): Promise<Appended> {
  const entries = tx.objectStore('entries');
  const laneIndex = entries.index('lane');
  // Both reads at once: each is a round trip to the database, on the page's path.
  const [last, known] = await Promise.all([
    laneIndex.openCursor(IDBKeyRange.only(draft.resource), 'prev'),
    draft.versioned ? versions.find(draft.resource, () => tx.objectStore('versions').get(draft.resource)) : undefined,
  ]);
  const before = last?.value;
  const entry = placeInLane(draft, before, known);
  if (before !== undefined && draft.coalesce) {
    // Only a delete can cancel the whole lane; anything else looks at the last write alone.
    const lane = draft.method === 'DELETE' ? await laneIndex.getAll(IDBKeyRange.only(draft.resource)) : [before];
    const decision = coalesce(lane, entry, isSending);
    if (decision.kind === 'merge') {
      await entries.put(decision.into);
      return { entry, isHead: false, outcome: 'merged', removed: [] };
    }
    if (decision.kind === 'cancel') {
      for (const removed of decision.removed) await entries.delete(removed.seq!);
      return { entry, isHead: false, outcome: 'cancelled', removed: decision.removed };
    }
  }
  return addInTx(tx, { entry, isHead: before === undefined, outcome: 'queued', removed: [] }, placed);
}

/** Adds a write of its own, `placed` once the add is asked for; its `seq` is set once the add is done. */
export async function addInTx(tx: EntriesTx, appended: Appended, placed: (appended: Appended) => void): Promise<Appended> {
  const adding = tx.objectStore('entries').add(appended.entry);
  placed(appended);
  appended.entry.seq = await adding;
  return appended;
}

/** A write in the dead-letter state: kept, but out of every lane, so the lane index forgets it. */
export function deadLetter(entry: StoredEntry, reason: string): StoredEntry {
  const dead = { ...entry, state: 'dead' as const, reason };
  delete dead.lane;
  return dead;
}

/** Who hears what a confirmation's transaction reads of its lane, the moment it is read. */
export interface LaneReads {
  /** The lane's new head (what the lane does next). */
  head(after: LaneAfterConfirm): void;
  /** The write behind that head, as stored (undefined: none, or the lane was remapped): lane-lookahead.ts. */
  behind(next: StoredEntry | undefined): void;
}

/**
 * The body of `confirm`, inside a group commit's transaction. Requests of a transaction run in the
 * order they are made, so only what needs an answer waits for one: what the answer teaches goes
 * out with the first read, and the write's key and its lane's first writes are read together, so
 * `reads` hears the lane's new head, and the write behind it, after one round trip; the removal and
 * the head's rebase go out together after it. A remap rewrites the whole lane (`remapLane`).
 */
export async function confirmInTx(tx: EntriesTx, entry: StoredEntry, result: ConfirmResult, versions: KnownVersions, reads: LaneReads): Promise<LaneAfterConfirm> {
  const entries = tx.objectStore('entries');
  const lane = entry.lane ?? entry.resource;
  const { mapping } = result;
  const nextLane = mapping ? laneAfter(mapping) : lane;
  const learning = learnInTx(tx, mapping ? nextLane : entry.resource, entry, result, versions);
  // By id, not by place: a write sent before its commit finished may have been given another.
  const finding = entries.index('id').getKey(entry.id);
  const head = mapping ? await remapLane(tx, lane, await finding, result.version, mapping, reads) : await rebaseNext(tx, lane, entry, finding, result.version, reads);
  await learning;
  if (result.kept) await rewriteKept(tx as never, result.kept);
  return { lane: nextLane, head };
}

/**
 * A confirmation without a remap: the write's key and its lane's first three writes are read
 * together (the confirmed write, if still there, is one of them); only the next write's base
 * changes, so a long lane is not read again for every write confirmed in it.
 */
async function rebaseNext(tx: EntriesTx, lane: string, entry: StoredEntry, finding: Promise<number | undefined>, version: string | null, reads: LaneReads): Promise<StoredEntry | undefined> {
  const entries = tx.objectStore('entries');
  const [key, first] = await Promise.all([finding, entries.index('lane').getAll(IDBKeyRange.only(lane), 3)]);
  const [next, behind] = first.filter((stored) => stored.id !== entry.id);
  const head = next && rebasedOn(next, version);
  // The next head, as this transaction leaves it: it may go while the rest commits. And the write
  // behind it, so that one may go as soon as the head is confirmed in its turn.
  reads.head({ lane, head });
  reads.behind(behind);
  // A lane head that is not chained stays as it is.
  await Promise.all([key === undefined ? undefined : entries.delete(key), head === next ? undefined : entries.put(head!)]);
  return head;
}

/**
 * A confirmation's remap: the write (at `key`) leaves the log, and every write of its lane is
 * rewritten to the real id (the first also rebased on `version`); returns the lane's new head,
 * which `reads` hears under the real id's lane (nothing is read ahead of a remap).
 */
async function remapLane(tx: EntriesTx, lane: string, key: number | undefined, version: string | null, mapping: IdMapping, reads: LaneReads): Promise<StoredEntry | undefined> {
  const entries = tx.objectStore('entries');
  const removing = key === undefined ? Promise.resolve() : entries.delete(key);
  removing.catch(() => undefined);
  // The cursor opens after the removal.
  let head: StoredEntry | undefined;
  for (let cursor = await entries.index('lane').openCursor(IDBKeyRange.only(lane)); cursor; cursor = await cursor.continue()) {
    const stored = cursor.value;
    const later = head ? remapEntry(stored, mapping) : rebasedOn(remapEntry(stored, mapping), version);
    if (later !== stored) await cursor.update(later);
    head ??= later;
  }
  reads.head({ lane: laneAfter(mapping), head });
  reads.behind(undefined);
  await removing;
  return head;
}

/** What a confirmation teaches, stored (and mirrored): the resource's version (gone after a DELETE) and its id mapping. */
function learnInTx(tx: EntriesTx, resource: string, entry: StoredEntry, result: ConfirmResult, versions: KnownVersions): Promise<unknown> {
  const requests: Promise<unknown>[] = [];
  if (result.mapping) requests.push(tx.objectStore('idmap').put(result.mapping));
  if (entry.method === 'DELETE') {
    versions.forget(resource);
    requests.push(tx.objectStore('versions').delete(resource));
  } else if (result.version !== null || result.representation !== null) {
    const learned = { resource, version: result.version, representation: result.representation, at: Date.now() };
    versions.set(learned);
    requests.push(tx.objectStore('versions').put(learned));
  }
  const all = Promise.all(requests);
  // Awaited by the caller; a failure aborts the transaction either way.
  all.catch(() => undefined);
  return all;
}

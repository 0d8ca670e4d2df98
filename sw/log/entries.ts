import type { LogDatabase } from './database';
import type { GroupCommit } from './group-commit';
import type { KeptReads } from './kept-reads';
import type { EntryDraft, StoredEntry } from './entry';
import { addInTx, appendInTx, confirmInTx, deadLetter, type Appended, type ConfirmResult, type LaneAfterConfirm, type SendingCheck } from './entry-commits';
import type { LaneIndex } from './lane-index';
import type { LaneLookahead } from './lane-lookahead';
import type { KnownVersions } from './known-versions';
import { placeInLane, rebasedOn } from './chain';
import { laneAfter } from './remap';

export type { Appended, ConfirmResult, LaneAfterConfirm, SendingCheck } from './entry-commits';

/**
 * The writes of the log. Entries are keyed by a growing sequence number, so a cursor over the
 * `lane` index walks each resource's writes in the order the page issued them. This class only
 * stores: where a write stands, what merges and how ids are rewritten are decided by the rules
 * it calls (chain.ts, coalesce.ts, remap.ts).
 */
export class EntryStore {
  constructor(
    private readonly database: LogDatabase,
    private readonly commits: GroupCommit,
    private readonly isSending: SendingCheck,
    /** Which URLs have reads kept, so a confirmation rewrites only those (kept-reads.ts). */
    private readonly kept: KeptReads,
    /** Which lanes may hold writes, and the versions known, in memory: a write to an empty lane reads nothing. */
    private readonly lanes: LaneIndex,
    private readonly versions: KnownVersions,
    /** Each lane's write behind its head, as the last confirmation read it: it goes without a read. */
    private readonly lookahead: LaneLookahead,
  ) {}

  /** Commits a write (in the next group commit) and resolves once it is durable. */
  append(draft: EntryDraft): Promise<Appended> {
    return this.appendEarly(draft).durable;
  }

  /**
   * Commits a write, telling as soon as its place in the log is decided (`placed`: inside the
   * commit's transaction, before it is durable) and when it is durable. A write whose page waits
   * may be sent from `placed` on (docs/protocol.md, The log); its page hears `202` only after
   * `durable`. If the commit fails after `placed`, `durable` rejects and the write is in no log.
   */
  appendEarly(draft: EntryDraft): { placed: Promise<Appended>; durable: Promise<Appended> } {
    const toEmptyLane = this.lanes.isEmpty(draft.resource) && (!draft.versioned || this.versions.ready);
    // Marked before anything else runs: a write behind this one reads the log, and finds it there.
    this.lanes.entered(draft.resource);
    if (toEmptyLane) return this.appendToEmptyLane(draft);
    let tellPlaced: (appended: Appended) => void = () => undefined;
    const placed = new Promise<Appended>((resolve) => (tellPlaced = resolve));
    // It reads and changes its own lane alone (merging and cancelling stay in the lane): appends to
    // distinct resources in one group commit go side by side.
    const durable = this.commits.run(async (tx) => {
      const appended = await appendInTx(tx, draft, this.isSending, tellPlaced, this.versions);
      tellPlaced(appended);
      return appended;
    }, draft.resource);
    const placedOrFailed = Promise.race([placed, durable]);
    // A caller that only waits for `durable` hears of a failure there, not as an unhandled `placed`.
    placedOrFailed.catch(() => undefined);
    return { placed: placedOrFailed, durable };
  }

  /**
   * A write to a lane the index knows is empty: nothing before it to chain to or merge with, so it
   * is placed at once (its page's send may start now) and only its add waits for the group commit.
   */
  private appendToEmptyLane(draft: EntryDraft): { placed: Promise<Appended>; durable: Promise<Appended> } {
    const entry = placeInLane(draft, undefined, draft.versioned ? this.versions.get(draft.resource) : undefined);
    const appended: Appended = { entry, isHead: true, outcome: 'queued', removed: [] };
    const durable = this.commits.run((tx) => addInTx(tx, appended, () => undefined), draft.resource);
    return { placed: Promise.resolve(appended), durable };
  }

  /**
   * Settles a confirmed write in one transaction: removes it, bases the next chained write of its
   * lane on the version it got, remaps its temporary id through the lane, and records the version.
   * Returns the lane the rest of the writes now live in, and its new head (read in the same
   * transaction, so the caller need not read it again). `laneRead` hears them before the
   * transaction is durable, the moment they are read: the lane's next write may go then.
   */
  async confirm(entry: StoredEntry, result: ConfirmResult, laneRead: (after: LaneAfterConfirm) => void = () => undefined): Promise<LaneAfterConfirm> {
    const kept = result.kept && (await this.kept.narrowed(result.kept));
    // Without kept reads to rewrite (they are shared: a collection's) or a remap (it renames a lane
    // into another), it touches its own lane's records alone.
    const lane = entry.lane ?? entry.resource;
    const own = kept === undefined && result.mapping === null ? lane : null;
    // A remap moves the lane's writes into the real id's lane; that one is left marked unless it
    // was empty and nothing moved.
    const nextLane = result.mapping ? laneAfter(result.mapping) : lane;
    const nextWasEmpty = nextLane !== lane && this.lanes.isEmpty(nextLane);
    if (nextLane !== lane) this.lanes.entered(nextLane);
    const stamps = { lane: this.lanes.stampOf(lane), next: this.lanes.stampOf(nextLane) };
    // What the transaction reads behind the new head is kept for when that head is confirmed.
    const changes = this.lookahead.changeCount;
    let head: StoredEntry | undefined;
    const reads = {
      head: (read: LaneAfterConfirm) => laneRead({ lane: read.lane, head: (head = read.head) }),
      behind: (next: StoredEntry | undefined) => this.lookahead.read(nextLane, head, next, stamps.next, changes),
    };
    let after: LaneAfterConfirm;
    try {
      after = await this.commits.run((tx) => confirmInTx(tx, entry, { ...result, kept }, this.versions, reads), own);
    } catch (error) {
      this.lookahead.forget(nextLane);
      throw error;
    }
    if (nextLane !== lane) this.lanes.emptied(lane, stamps.lane);
    if (after.head === undefined && (nextLane === lane || nextWasEmpty)) this.lanes.emptied(nextLane, stamps.next);
    return after;
  }

  /**
   * The write that goes next in `confirmed`'s lane once it is confirmed with `version`, rebased on
   * it as the confirmation will store it, when the confirmation before read it and nothing can
   * have changed it since (lane-lookahead.ts); undefined when only the log can say.
   */
  knownNext(confirmed: StoredEntry, version: string | null): StoredEntry | undefined {
    const lane = confirmed.lane ?? confirmed.resource;
    const next = this.lookahead.take(lane, confirmed, this.lanes.stampOf(lane));
    return next && rebasedOn(next, version);
  }

  /** The first write of a lane, or undefined when the lane is empty. */
  async laneHead(lane: string): Promise<StoredEntry | undefined> {
    return (await this.laneHeads([lane]))[0];
  }

  /**
   * The heads of several lanes, read in one transaction (a batched drain reads a round's heads at
   * once): an index's `get` finds a key's first record by primary key, the lane's oldest write.
   */
  async laneHeads(lanes: readonly string[]): Promise<(StoredEntry | undefined)[]> {
    const index = (await this.database.db).transaction('entries').store.index('lane');
    return Promise.all(lanes.map((lane) => index.get(lane)));
  }

  /** Up to `count` lanes after `after`, in key order, in one walk of the lane index; each lane once, without reading its entries. */
  async nextLanes(after: string | null, count: number): Promise<string[]> {
    const range = after === null ? undefined : IDBKeyRange.lowerBound(after, true);
    const lanes: string[] = [];
    let cursor = await (await this.database.db).transaction('entries').store.index('lane').openKeyCursor(range, 'nextunique');
    while (cursor && lanes.length < count) {
      lanes.push(cursor.key);
      if (lanes.length < count) cursor = await cursor.continue();
    }
    return lanes;
  }

  async get(id: string): Promise<StoredEntry | undefined> {
    return (await this.database.db).getFromIndex('entries', 'id', id);
  }

  /**
   * Writes an entry's new state, only if it is still in the log (by id): a write discarded, cleared
   * or never committed while it was on the wire is not brought back by what its send came to.
   * False when it was not there.
   */
  put(entry: StoredEntry): Promise<boolean> {
    return this.changing(async () => {
      const tx = (await this.database.db).transaction('entries', 'readwrite');
      const key = await tx.store.index('id').getKey(entry.id);
      if (key !== undefined) await tx.store.put({ ...entry, seq: key });
      await tx.done;
      return key !== undefined;
    });
  }

  /** Removes one entry; false when it is not there. */
  remove(id: string): Promise<boolean> {
    return this.changing(async () => {
      const tx = (await this.database.db).transaction('entries', 'readwrite');
      const key = await tx.store.index('id').getKey(id);
      if (key !== undefined) await tx.store.delete(key);
      await tx.done;
      return key !== undefined;
    });
  }

  /**
   * Moves a write to the dead-letter state, and with `cascade` every later write of its lane too,
   * since they were made on top of a change that will not happen. Returns the ones cascaded.
   */
  kill(entry: StoredEntry, reason: string, cascade: boolean): Promise<StoredEntry[]> {
    return this.changing(async () => {
      const tx = (await this.database.db).transaction('entries', 'readwrite');
      const lane = entry.lane;
      const key = await tx.store.index('id').getKey(entry.id);
      if (key !== undefined) await tx.store.put({ ...deadLetter(entry, reason), seq: key });
      const cascaded: StoredEntry[] = [];
      if (cascade && lane !== undefined) {
        for (const later of await tx.store.index('lane').getAll(IDBKeyRange.only(lane))) {
          const laterDead = deadLetter(later, 'cascade');
          await tx.store.put(laterDead);
          cascaded.push(laterDead);
        }
      }
      await tx.done;
      return cascaded;
    });
  }

  /**
   * Makes a write due now: a held or waiting one where it stands (a server's Retry-After still
   * holds), a dead one back at the end of its lane, after the writes that are there now.
   */
  revive(id: string): Promise<StoredEntry | undefined> {
    return this.changing(async () => {
      const tx = (await this.database.db).transaction('entries', 'readwrite');
      const key = await tx.store.index('id').getKey(id);
      const entry = key === undefined ? undefined : await tx.store.get(key);
      if (!entry || key === undefined) return undefined;
      this.lanes.entered(entry.resource);
      const revived: StoredEntry = { ...entry, lane: entry.resource, state: 'queued', failures: 0, nextAttemptAt: 0, reason: null };
      if (entry.state === 'dead') {
        await tx.store.delete(key);
        delete revived.seq;
        revived.notBefore = 0;
      }
      const seq = await tx.store.put(revived);
      await tx.done;
      return { ...revived, seq };
    });
  }

  /** Puts a partition's held writes back to be sent (a page has fresh credentials). */
  releaseHeld(partition: string): Promise<void> {
    return this.changing(async () => {
      const tx = (await this.database.db).transaction('entries', 'readwrite');
      for (let cursor = await tx.store.index('state').openCursor('held'); cursor; cursor = await cursor.continue()) {
        if (cursor.value.partition === partition) await cursor.update({ ...cursor.value, state: 'queued', reason: null, failures: 0, nextAttemptAt: 0 });
      }
      await tx.done;
    });
  }

  /** Writes still to be sent, of one partition. */
  async countPending(partition: string): Promise<number> {
    return (await this.database.db).countFromIndex('entries', 'partitionLane', IDBKeyRange.bound([partition, ''], [partition, '\uffff']));
  }

  async countDead(): Promise<number> {
    return (await this.database.db).countFromIndex('entries', 'state', 'dead');
  }

  /**
   * The writes still to be sent (queued, held, or waiting on a conflict) of a resource and of the
   * resources under it, in the order the page issued them: what a read of it is laid over.
   */
  async pendingAt(resource: string, partition: string): Promise<StoredEntry[]> {
    const index = (await this.database.db).transaction('entries').store.index('lane');
    const [own, under] = await Promise.all([index.getAll(IDBKeyRange.only(resource)), index.getAll(IDBKeyRange.bound(`${resource}/`, `${resource}/\uffff`))]);
    return [...own, ...under].filter((entry) => entry.partition === partition).sort((a, b) => a.seq! - b.seq!);
  }

  /** Writes in one state (say, `conflict`: those waiting for a person), oldest first. */
  async inState(state: StoredEntry['state']): Promise<StoredEntry[]> {
    return (await this.database.db).getAllFromIndex('entries', 'state', state);
  }

  async all(): Promise<StoredEntry[]> {
    return (await this.database.db).getAll('entries');
  }

  /** Every write of one partition, oldest first. */
  async partition(partition: string): Promise<StoredEntry[]> {
    return (await this.all()).filter((entry) => entry.partition === partition);
  }

  /** Removes every write of a partition (the app's sign-out); returns what went. */
  clearPartition(partition: string): Promise<StoredEntry[]> {
    return this.changing(async () => {
      const tx = (await this.database.db).transaction('entries', 'readwrite');
      const removed: StoredEntry[] = [];
      for (let cursor = await tx.store.openCursor(); cursor; cursor = await cursor.continue()) {
        if (cursor.value.partition !== partition) continue;
        removed.push(cursor.value);
        await cursor.delete();
      }
      await tx.done;
      return removed;
    });
  }

  /**
   * Runs a change of the log other than an append or a confirmation. What was read ahead of it is
   * not trusted from its start (it may be read mid-change) to its end (a confirmation asked for
   * meanwhile may have read the log before it): lane-lookahead.ts.
   */
  private async changing<T>(change: () => Promise<T>): Promise<T> {
    this.lookahead.changed();
    try {
      return await change();
    } finally {
      this.lookahead.changed();
    }
  }
}

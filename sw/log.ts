import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction } from 'idb';
import type { StoredEntry, EntryDraft } from './entry';
import type { OutboxEvent } from './protocol';
import { remapJson, remapUrl, resourceKey } from './resource';
import { isJson } from './outcome';
import { coalesce } from './coalesce';
import { logVersion, upgradeLog } from './migrations';

/** What the worker knows of a resource's current server state. */
export interface KnownVersion {
  resource: string;
  version: string | null;
  representation: unknown;
  at: number;
}

export interface IdMapping {
  tempId: string;
  realId: string | number;
  tempUrl: string;
  realUrl: string;
  at: number;
}

/** The log's schema, typed once. */
interface OutboxSchema extends DBSchema {
  entries: { key: number; value: StoredEntry; indexes: { id: string; lane: string; state: string; partitionLane: [string, string] } };
  versions: { key: string; value: KnownVersion };
  idmap: { key: string; value: IdMapping };
  events: { key: number; value: OutboxEvent };
  meta: { key: string; value: unknown };
}

type Db = IDBPDatabase<OutboxSchema>;
type EntriesTx = IDBPTransaction<OutboxSchema, ('entries' | 'versions' | 'idmap')[], 'readwrite'>;

/** Events kept for tabs that (re)connect late. */
export const historyLimit = 500;

/** What a confirmed write's answer means for the log. */
export interface ConfirmResult {
  version: string | null;
  representation: unknown;
  mapping: IdMapping | null;
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

/** Tells the log which writes are on the wire now: those are never rewritten. */
export type SendingCheck = (id: string) => boolean;

/**
 * The write-ahead log in IndexedDB. Entries are keyed by a growing sequence number, so a cursor
 * over the `lane` index walks each resource's writes in the order the page issued them.
 */
/** A change to the log waiting for the next group commit. */
interface Operation {
  run: (tx: EntriesTx) => Promise<unknown>;
  resolve: (result: never) => void;
  reject: (error: unknown) => void;
}

export class OutboxLog {
  private pending: Operation[] = [];
  private committing = false;
  /** Set by the engine; until then nothing is in flight. */
  isSending: SendingCheck = () => false;

  /** The open connection; null once it is closed, until the next use opens the log again. */
  private connection: Db | null = null;
  private reopening: Promise<Db> | null = null;
  /**
   * Told what was in the log when another party deleted its database (a page, devtools): those
   * writes are gone, and the tabs must hear of each. The log itself starts again, empty.
   */
  onDeleted: (lost: StoredEntry[]) => void = () => undefined;

  private constructor(private readonly name: string, private readonly onBlocked: () => void) {}

  /**
   * Opens (creating or upgrading) the log. `onBlocked` is called while another connection at an
   * older version, such as an old tab that ignores `versionchange`, keeps the upgrade waiting.
   */
  static async open(name = 'sw-outbox', onBlocked: () => void = () => undefined): Promise<OutboxLog> {
    const log = new OutboxLog(name, onBlocked);
    await log.db;
    return log;
  }

  private get db(): Promise<Db> {
    if (this.connection) return Promise.resolve(this.connection);
    this.reopening ??= this.connect().finally(() => (this.reopening = null));
    return this.reopening;
  }

  private async connect(): Promise<Db> {
    const db = await openDB<OutboxSchema>(this.name, logVersion, {
      upgrade: (database, oldVersion, newVersion, transaction) =>
        void upgradeLog(database as unknown as IDBPDatabase<unknown>, oldVersion, newVersion ?? logVersion, transaction as never),
      blocked: () => this.onBlocked(),
      blocking: (_current, next) => void this.stepAside(db, next === null),
      // Closed by the browser (site data cleared): the next use opens the log again.
      terminated: () => this.dropConnection(db),
    });
    this.connection = db;
    return db;
  }

  /**
   * Another connection wants the database: a newer worker upgrading the log (it takes over
   * sending, see install.ts), or someone deleting it. Either way this connection must close, or
   * they wait forever. A deletion is reported first, while the writes can still be read.
   */
  private async stepAside(db: Db, deleted: boolean): Promise<void> {
    this.dropConnection(db);
    const lost = deleted ? await db.getAll('entries').catch(() => []) : [];
    db.close();
    if (lost.length > 0) this.onDeleted(lost);
  }

  private dropConnection(db: Db): void {
    if (this.connection === db) this.connection = null;
  }

  /** Commits a write and resolves once it is durable. */
  append(draft: EntryDraft): Promise<Appended> {
    return this.inNextCommit((tx) => appendInTx(tx, draft, this.isSending));
  }

  /**
   * Group commit: changes that arrive while a commit is running (new writes, confirmations) go
   * together, in order, in the next transaction, so a burst costs few IndexedDB round trips. Each
   * resolves only once its transaction is durable.
   */
  private inNextCommit<T>(run: (tx: EntriesTx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ run, resolve: resolve as (result: never) => void, reject });
      if (!this.committing) void this.commitPending();
    });
  }

  private async commitPending(): Promise<void> {
    this.committing = true;
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      // One change that fails (a write too big for the quota left) must not take the others of
      // its batch down with it: they are tried again, each in a transaction of its own.
      if (!(await this.commit(batch)) && batch.length > 1) {
        for (const operation of batch) await this.commit([operation]);
      }
    }
    this.committing = false;
  }

  /** Runs changes in one transaction: true once all are durable; false if it failed (a lone change is rejected). */
  private async commit(batch: Operation[]): Promise<boolean> {
    let tx: EntriesTx | null = null;
    try {
      tx = (await this.db).transaction(['entries', 'versions', 'idmap'], 'readwrite');
      const results: unknown[] = [];
      for (const operation of batch) results.push(await operation.run(tx));
      await tx.done;
      batch.forEach((operation, index) => operation.resolve(results[index] as never));
      return true;
    } catch (error) {
      // Nothing of a failed batch may commit: IndexedDB would commit its earlier changes on its own.
      tx?.done.catch(() => undefined);
      try {
        tx?.abort();
      } catch {
        // Already aborted (a quota error does that) or finished.
      }
      if (batch.length === 1) batch[0]!.reject(error);
      return false;
    }
  }

  /** The first write of a lane, or undefined when the lane is empty. */
  async laneHead(lane: string): Promise<StoredEntry | undefined> {
    const cursor = await (await this.db).transaction('entries').store.index('lane').openCursor(IDBKeyRange.only(lane));
    return cursor?.value;
  }

  /** The next lane after `after` in key order; each lane once, without reading its entries. */
  async nextLane(after: string | null): Promise<string | null> {
    const range = after === null ? undefined : IDBKeyRange.lowerBound(after, true);
    const cursor = await (await this.db).transaction('entries').store.index('lane').openKeyCursor(range, 'nextunique');
    return cursor ? cursor.key : null;
  }

  async get(id: string): Promise<StoredEntry | undefined> {
    return (await this.db).getFromIndex('entries', 'id', id);
  }

  async put(entry: StoredEntry): Promise<void> {
    await (await this.db).put('entries', entry);
  }

  /** Removes one entry; false when it is not there. */
  async remove(id: string): Promise<boolean> {
    const tx = (await this.db).transaction('entries', 'readwrite');
    const key = await tx.store.index('id').getKey(id);
    if (key !== undefined) await tx.store.delete(key);
    await tx.done;
    return key !== undefined;
  }

  /**
   * Settles a confirmed write in one transaction: removes it, bases the next chained write of its
   * lane on the version it got, remaps its temporary id through the lane, and records the version.
   * Returns the lane the rest of the writes now live in, and its new head (read in the same
   * transaction, so the engine need not read it again).
   */
  confirm(entry: StoredEntry, result: ConfirmResult): Promise<{ lane: string; head: StoredEntry | undefined }> {
    return this.inNextCommit((tx) => confirmInTx(tx, entry, result));
  }

  /**
   * Moves a write to the dead-letter state, and with `cascade` every later write of its lane too,
   * since they were made on top of a change that will not happen. Returns the ones cascaded.
   */
  async kill(entry: StoredEntry, reason: string, cascade: boolean): Promise<StoredEntry[]> {
    const tx = (await this.db).transaction('entries', 'readwrite');
    const lane = entry.lane;
    const dead = { ...entry, state: 'dead' as const, reason };
    delete dead.lane;
    await tx.store.put(dead);
    const cascaded: StoredEntry[] = [];
    if (cascade && lane !== undefined) {
      for (const later of await tx.store.index('lane').getAll(IDBKeyRange.only(lane))) {
        const laterDead = { ...later, state: 'dead' as const, reason: 'cascade' };
        delete laterDead.lane;
        await tx.store.put(laterDead);
        cascaded.push(laterDead);
      }
    }
    await tx.done;
    Object.assign(entry, dead);
    delete entry.lane;
    return cascaded;
  }

  /**
   * Makes a write due now: a held or waiting one where it stands (a server's Retry-After still
   * holds), a dead one back at the end of its lane, after the writes that are there now.
   */
  async revive(id: string): Promise<StoredEntry | undefined> {
    const tx = (await this.db).transaction('entries', 'readwrite');
    const key = await tx.store.index('id').getKey(id);
    const entry = key === undefined ? undefined : await tx.store.get(key);
    if (!entry || key === undefined) return undefined;
    const wasDead = entry.state === 'dead';
    const revived: StoredEntry = { ...entry, lane: entry.resource, state: 'queued', failures: 0, nextAttemptAt: 0, reason: null };
    if (wasDead) {
      await tx.store.delete(key);
      delete revived.seq;
      revived.notBefore = 0;
    }
    const seq = await tx.store.put(revived);
    await tx.done;
    return { ...revived, seq };
  }

  /** Writes still to be sent, of one partition. */
  /** Puts a partition's held writes back to be sent (a page has fresh credentials). */
  async releaseHeld(partition: string): Promise<void> {
    const tx = (await this.db).transaction('entries', 'readwrite');
    for (let cursor = await tx.store.index('state').openCursor('held'); cursor; cursor = await cursor.continue()) {
      if (cursor.value.partition === partition) await cursor.update({ ...cursor.value, state: 'queued', reason: null, failures: 0, nextAttemptAt: 0 });
    }
    await tx.done;
  }

  async countPending(partition: string): Promise<number> {
    return (await this.db).countFromIndex('entries', 'partitionLane', IDBKeyRange.bound([partition, ''], [partition, '\uffff']));
  }

  async countDead(): Promise<number> {
    return (await this.db).countFromIndex('entries', 'state', 'dead');
  }

  async all(): Promise<StoredEntry[]> {
    return (await this.db).getAll('entries');
  }

  /** Every write of one partition, oldest first. */
  async partition(partition: string): Promise<StoredEntry[]> {
    return (await (await this.db).getAll('entries')).filter((entry) => entry.partition === partition);
  }

  /** Removes every write of a partition (the app's sign-out); returns what went. */
  async clearPartition(partition: string): Promise<StoredEntry[]> {
    const tx = (await this.db).transaction('entries', 'readwrite');
    const removed: StoredEntry[] = [];
    for (let cursor = await tx.store.openCursor(); cursor; cursor = await cursor.continue()) {
      if (cursor.value.partition !== partition) continue;
      removed.push(cursor.value);
      await cursor.delete();
    }
    await tx.done;
    return removed;
  }

  async knownVersion(resource: string): Promise<KnownVersion | undefined> {
    return (await this.db).get('versions', resource);
  }

  async learnVersion(known: KnownVersion): Promise<void> {
    await (await this.db).put('versions', known);
  }

  /**
   * Learns each item of a collection as `<collection>/<id>`: its representation, and its version
   * where versions live in a body field. An ETag of the collection says nothing of its items, so
   * an item's known ETag is kept.
   */
  async learnCollection(collection: string, items: unknown[], idField: string, versioning: string): Promise<void> {
    const tx = (await this.db).transaction('versions', 'readwrite');
    const at = Date.now();
    for (const item of items) {
      if (item === null || typeof item !== 'object') continue;
      const record = item as Record<string, unknown>;
      const id = record[idField];
      if (typeof id !== 'string' && typeof id !== 'number') continue;
      const resource = `${collection}/${encodeURIComponent(String(id))}`;
      const fieldVersion = versioning !== 'etag' && versioning !== 'off' && record[versioning] != null ? String(record[versioning]) : null;
      const known = fieldVersion === null ? await tx.store.get(resource) : undefined;
      await tx.store.put({ resource, version: fieldVersion ?? known?.version ?? null, representation: item, at });
    }
    await tx.done;
  }

  async mappingFor(tempId: string): Promise<IdMapping | undefined> {
    return (await this.db).get('idmap', tempId);
  }

  /**
   * Forgets versions and id mappings learned before `before`: a version that old says little of
   * the server now, and no tab holds a temporary URL that long. Without this the two stores grow
   * with every item ever read. Pending writes keep their own base, so none of them is affected.
   * Returns how many records went.
   */
  async forgetLearnedBefore(before: number): Promise<number> {
    const tx = (await this.db).transaction(['versions', 'idmap'], 'readwrite');
    let forgotten = 0;
    for (const store of [tx.objectStore('versions'), tx.objectStore('idmap')]) {
      for (let cursor = await store.openCursor(); cursor; cursor = await cursor.continue()) {
        if (cursor.value.at >= before) continue;
        await cursor.delete();
        forgotten++;
      }
    }
    await tx.done;
    return forgotten;
  }

  /** Writes a batch of events to the bounded history, dropping the oldest beyond the limit. */
  async recordEvents(events: OutboxEvent[]): Promise<void> {
    const last = events.at(-1);
    if (!last) return;
    const tx = (await this.db).transaction('events', 'readwrite');
    for (const event of events) await tx.store.put(event);
    // Keep the newest by count, not by key arithmetic: a restarted worker's places jump ahead.
    const beyond = await (await tx.store.openKeyCursor(null, 'prev'))?.advance(historyLimit);
    if (beyond) await tx.store.delete(IDBKeyRange.upperBound(beyond.key));
    await tx.done;
  }

  async lastEventSeq(): Promise<number> {
    const cursor = await (await this.db).transaction('events').store.openKeyCursor(null, 'prev');
    return cursor?.key ?? 0;
  }

  async history(afterSeq = 0): Promise<OutboxEvent[]> {
    return (await this.db).getAll('events', IDBKeyRange.lowerBound(afterSeq, true));
  }

  async getMeta<T>(key: string): Promise<T | undefined> {
    return (await (await this.db).get('meta', key)) as T | undefined;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    await (await this.db).put('meta', value, key);
  }

  close(): void {
    this.connection?.close();
    this.connection = null;
  }
}

/** The body of `confirm`, inside a group commit's transaction. */
async function confirmInTx(tx: EntriesTx, entry: StoredEntry, result: ConfirmResult): Promise<{ lane: string; head: StoredEntry | undefined }> {
  if (entry.seq !== undefined) await tx.objectStore('entries').delete(entry.seq);
  const lane = entry.lane ?? entry.resource;
  let nextLane = lane;
  if (result.mapping) {
    await tx.objectStore('idmap').put(result.mapping);
    nextLane = resourceKey(new URL(result.mapping.realUrl));
  }
  // Only the next write's base changes, unless a remap rewrites the whole lane: a long lane is
  // not read again for every write confirmed in it.
  let cursor = await tx.objectStore('entries').index('lane').openCursor(IDBKeyRange.only(lane));
  let head: StoredEntry | undefined;
  while (cursor && (!head || result.mapping)) {
    const later = cursor.value;
    if (result.mapping) remapEntry(later, result.mapping, nextLane);
    if (!head && later.chained) {
      later.baseVersion = result.version;
      later.chained = false;
    }
    head ??= later;
    await cursor.update(later);
    cursor = await cursor.continue();
  }
  const resource = result.mapping ? nextLane : entry.resource;
  if (entry.method === 'DELETE') await tx.objectStore('versions').delete(resource);
  else if (result.version !== null || result.representation !== null) {
    await tx.objectStore('versions').put({ resource, version: result.version, representation: result.representation, at: Date.now() });
  }
  return { lane: nextLane, head };
}

async function appendInTx(tx: EntriesTx, draft: EntryDraft, isSending: SendingCheck): Promise<Appended> {
  const entries = tx.objectStore('entries');
  const laneIndex = entries.index('lane');
  const previous = await laneIndex.openCursor(IDBKeyRange.only(draft.resource), 'prev');
  const before = previous?.value;
  const known = draft.versioned ? await tx.objectStore('versions').get(draft.resource) : undefined;
  const requestedBase = draft.requestedBase ?? known?.version ?? null;
  // A write made on top of the user's own unsent write is based on what that one will return.
  const chained = before !== undefined && (draft.requestedBase === null || draft.requestedBase === before.requestedBase);
  const entry: StoredEntry = {
    ...draft,
    requestedBase,
    baseRepresentation: draft.baseRepresentation ?? known?.representation ?? null,
    lane: draft.resource,
    chained,
    baseVersion: chained ? null : requestedBase,
    coalesced: [],
  };
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
  entry.seq = await entries.add(entry);
  return { entry, isHead: before === undefined, outcome: 'queued', removed: [] };
}

function remapEntry(entry: StoredEntry, mapping: IdMapping, lane: string): void {
  entry.url = entry.url.startsWith(mapping.tempUrl) ? mapping.realUrl + entry.url.slice(mapping.tempUrl.length) : remapUrl(entry.url, mapping.tempId, mapping.realId);
  entry.resource = lane;
  entry.lane = lane;
  if (entry.body !== null && isJson(entry.contentType)) {
    try {
      const json: unknown = JSON.parse(new TextDecoder().decode(entry.body));
      const replacements = new Map<string, unknown>([[mapping.tempId, mapping.realId], [mapping.tempUrl, mapping.realUrl]]);
      entry.body = new TextEncoder().encode(JSON.stringify(remapJson(json, replacements))).buffer as ArrayBuffer;
    } catch {
      // Not parseable after all: the bytes go as the page wrote them.
    }
  }
}

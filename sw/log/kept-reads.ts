import type { IDBPTransaction } from 'idb';
import type { LogDatabase, OutboxSchema } from './database';
import { keptUrlOfId, type KeptRead } from './kept-read';

export { keptReadId, type KeptRead } from './kept-read';


/** How a confirmed write changes a kept read: a new body, `remove`, or null to leave it. */
export type KeptChange = (read: KeptRead) => ArrayBuffer | 'remove' | null;

/** Kept reads of some URLs to rewrite, in the transaction that confirms a write. */
export interface KeptRewrite {
  partition: string;
  urls: string[];
  change: KeptChange;
}

/** A transaction over the stores a rewrite touches (a group commit's, or one of its own). */
type KeptTx = IDBPTransaction<OutboxSchema, ('reads' | 'meta')[], 'readwrite'>;

/** Rewrites kept reads inside `tx`, keeping the total of bytes kept right. */
export async function rewriteKept(tx: KeptTx, { partition, urls, change }: KeptRewrite): Promise<void> {
  const reads = tx.objectStore('reads');
  const meta = tx.objectStore('meta');
  // Most confirmations find nothing kept: the total is read only when something changes.
  let total: number | null = null;
  for (const url of urls) {
    for (const read of await reads.index('partitionUrl').getAll([partition, url])) {
      const body = change(read);
      if (body === null) continue;
      total ??= ((await meta.get(totalKey)) as number | undefined) ?? 0;
      total -= read.body.byteLength;
      if (body === 'remove') {
        await reads.delete(read.id);
        continue;
      }
      total += body.byteLength;
      await reads.put({ ...read, body });
    }
  }
  if (total !== null) await meta.put(total, totalKey);
}

/** Meta key of the running total of bytes kept. */
const totalKey = 'keptBytes';

/**
 * The reads on routes kept for offline use, in the log's database: per partition, never more than
 * `maxBytes` of bodies, the least recently used going first. It only stores: what is kept, and how
 * an answer is laid over, are decided in sw/reads/.
 */
export class KeptReads {
  /**
   * Partition and URL of every read kept, read once (the ids name them): a confirmation looks up
   * only URLs that have one. Added to before a read is stored; what goes is left in (a look too many).
   */
  private held: Promise<Set<string>> | null = null;

  constructor(private readonly database: LogDatabase, private readonly maxBytes: number) {}

  /** Keeps a read, replacing the one for the same URL and vary values; false when it is larger than the cap. */
  async keep(read: KeptRead): Promise<boolean> {
    if (read.body.byteLength > this.maxBytes) return false;
    (await this.heldUrls()).add(heldKey(read.partition, read.url));
    const tx = (await this.database.db).transaction(['reads', 'meta'], 'readwrite');
    const reads = tx.objectStore('reads');
    const meta = tx.objectStore('meta');
    let total = ((await meta.get(totalKey)) as number | undefined) ?? 0;
    total += read.body.byteLength - ((await reads.get(read.id))?.body.byteLength ?? 0);
    await reads.put(read);
    for (let cursor = await reads.index('usedAt').openCursor(); cursor && total > this.maxBytes; cursor = await cursor.continue()) {
      if (cursor.value.id === read.id) continue;
      total -= cursor.value.body.byteLength;
      await cursor.delete();
    }
    await meta.put(total, totalKey);
    await tx.done;
    return true;
  }

  /** The kept reads of one URL in a partition (one per set of vary values). */
  async of(partition: string, url: string): Promise<KeptRead[]> {
    return (await this.database.db).getAllFromIndex('reads', 'partitionUrl', [partition, url]);
  }

  /** Marks a kept read as used now, so it is the last to be evicted. */
  async touch(read: KeptRead): Promise<void> {
    await (await this.database.db).put('reads', { ...read, usedAt: Date.now() });
  }

  /** `rewrite` narrowed to the URLs with reads kept in its partition; undefined when none has any. */
  async narrowed(rewrite: KeptRewrite): Promise<KeptRewrite | undefined> {
    const held = await this.heldUrls();
    const urls = rewrite.urls.filter((url) => held.has(heldKey(rewrite.partition, url)));
    return urls.length === 0 ? undefined : { ...rewrite, urls };
  }

  private heldUrls(): Promise<Set<string>> {
    this.held ??= this.database.db
      .then((db) => db.getAllKeys('reads'))
      .then((ids) => new Set(ids.map((id) => keptUrlOfId(id)).map(({ partition, url }) => heldKey(partition, url))));
    return this.held;
  }

  /** Rewrites kept reads in a transaction of its own (a confirmation does it in its own, see `rewriteKept`). */
  async rewrite(rewrite: KeptRewrite): Promise<void> {
    const tx = (await this.database.db).transaction(['reads', 'meta'], 'readwrite');
    await rewriteKept(tx as unknown as KeptTx, rewrite);
    await tx.done;
  }

  /** Removes every read kept for a partition (the app's sign-out). */
  async clearPartition(partition: string): Promise<void> {
    const tx = (await this.database.db).transaction(['reads', 'meta'], 'readwrite');
    let total = ((await tx.objectStore('meta').get(totalKey)) as number | undefined) ?? 0;
    for (let cursor = await tx.objectStore('reads').openCursor(); cursor; cursor = await cursor.continue()) {
      if (cursor.value.partition !== partition) continue;
      total -= cursor.value.body.byteLength;
      await cursor.delete();
    }
    await tx.objectStore('meta').put(total, totalKey);
    await tx.done;
  }

  /** Bytes of bodies kept now. */
  async totalBytes(): Promise<number> {
    return ((await (await this.database.db).get('meta', totalKey)) as number | undefined) ?? 0;
  }
}

function heldKey(partition: string, url: string): string {
  return JSON.stringify([partition, url]);
}

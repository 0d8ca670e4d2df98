import type { LogDatabase } from './database';
import { itemsOfCollection, type KnownVersion } from './learning';
import type { IdMapping } from './remap';
import type { KnownVersions } from './known-versions';

/**
 * What the worker has learned from the server: the last version and representation of each
 * resource seen on a route (what later writes are based on and merged against), and the real ids
 * of confirmed creates.
 */
export class LearnedStore {
  constructor(private readonly database: LogDatabase, private readonly versions: KnownVersions) {}

  async knownVersion(resource: string): Promise<KnownVersion | undefined> {
    return this.versions.find(resource, async () => (await this.database.db).get('versions', resource));
  }

  async learnVersion(known: KnownVersion): Promise<void> {
    const storing = (await this.database.db).put('versions', known);
    this.versions.set(known);
    await storing;
  }

  /** Learns each item of a collection's answer (see `itemsOfCollection`), keeping an item's known ETag. */
  async learnCollection(collection: string, items: unknown[], idField: string, versioning: string): Promise<void> {
    const tx = (await this.database.db).transaction('versions', 'readwrite');
    for (const item of itemsOfCollection(collection, items, idField, versioning, Date.now())) {
      const version = item.version ?? (await this.versions.find(item.resource, () => tx.store.get(item.resource)))?.version ?? null;
      const learned = { ...item, version };
      this.versions.set(learned);
      await tx.store.put(learned);
    }
    await tx.done;
  }

  async mappingFor(tempId: string): Promise<IdMapping | undefined> {
    return (await this.database.db).get('idmap', tempId);
  }

  /**
   * Forgets versions and id mappings learned before `before`: a version that old says little of
   * the server now, and no tab holds a temporary URL that long. Without this the two stores grow
   * with every item ever read. Pending writes keep their own base, so none of them is affected.
   * Returns how many records went.
   */
  async forgetLearnedBefore(before: number): Promise<number> {
    const tx = (await this.database.db).transaction(['versions', 'idmap'], 'readwrite');
    let forgotten = 0;
    for (const store of [tx.objectStore('versions'), tx.objectStore('idmap')]) {
      for (let cursor = await store.openCursor(); cursor; cursor = await cursor.continue()) {
        if (cursor.value.at >= before) continue;
        if (store.name === 'versions') this.versions.forget(cursor.primaryKey);
        await cursor.delete();
        forgotten++;
      }
    }
    await tx.done;
    return forgotten;
  }
}

import type { LogDatabase } from './database';
import type { KnownVersion } from './learning';

/**
 * The `versions` store mirrored in memory, so a write is based on what the worker knows without
 * a read of the log (docs/architecture.md, The in-memory index). Every change of the store goes
 * through here as it is made.
 */
export class KnownVersions {
  private readonly known = new Map<string, KnownVersion>();
  /** Resources changed while a load runs: what the load read of them is older. */
  private changedWhileLoading: Set<string> | null = null;
  private loaded = false;
  private loading = Promise.resolve();

  /** Whether the mirror holds the whole store (until then, ask the store). */
  get ready(): boolean {
    return this.loaded;
  }

  get(resource: string): KnownVersion | undefined {
    return this.known.get(resource);
  }

  /** What is known of `resource`: from memory once the mirror holds the whole store, else read by `stored`. */
  find(resource: string, stored: () => Promise<KnownVersion | undefined>): KnownVersion | undefined | Promise<KnownVersion | undefined> {
    return this.loaded ? this.known.get(resource) : stored();
  }

  set(version: KnownVersion): void {
    this.known.set(version.resource, version);
    this.changedWhileLoading?.add(version.resource);
  }

  forget(resource: string): void {
    this.known.delete(resource);
    this.changedWhileLoading?.add(resource);
  }

  /** The store was deleted with its database (site data cleared): nothing is known any more. */
  clear(): void {
    for (const resource of this.known.keys()) this.changedWhileLoading?.add(resource);
    this.known.clear();
  }

  /** Reads the whole store; what changed meanwhile keeps its newer value. Loads run one at a time. */
  load(database: LogDatabase): Promise<void> {
    // One that failed leaves the mirror as it was: the next load starts afresh.
    this.loading = this.loading.catch(() => undefined).then(() => this.loadNow(database));
    return this.loading;
  }

  private async loadNow(database: LogDatabase): Promise<void> {
    const changed = (this.changedWhileLoading = new Set());
    try {
      const stored = new Map((await (await database.db).getAll('versions')).map((version) => [version.resource, version]));
      for (const resource of this.known.keys()) if (!changed.has(resource) && !stored.has(resource)) this.known.delete(resource);
      for (const [resource, version] of stored) if (!changed.has(resource)) this.known.set(resource, version);
      this.loaded = true;
    } finally {
      this.changedWhileLoading = null;
    }
  }
}

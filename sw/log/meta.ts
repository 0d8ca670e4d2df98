import type { LogDatabase } from './database';

/** The worker's own small state that must outlive it, one value per name. */
export interface MetaValues {
  /** Replay paused by the app. */
  paused: boolean;
  /** The active partition (the signed-in user). */
  partition: string;
  /** When stale versions and id mappings were last forgotten. */
  forgottenAt: number;
}

/** Reads and writes `MetaValues` in the log's `meta` store. */
export class MetaStore {
  constructor(private readonly database: LogDatabase) {}

  async get<K extends keyof MetaValues>(key: K): Promise<MetaValues[K] | undefined> {
    return (await (await this.database.db).get('meta', key)) as MetaValues[K] | undefined;
  }

  async set<K extends keyof MetaValues>(key: K, value: MetaValues[K]): Promise<void> {
    await (await this.database.db).put('meta', value, key);
  }
}

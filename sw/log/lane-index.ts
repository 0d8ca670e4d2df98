import type { LogDatabase } from './database';

/**
 * Which lanes may hold writes, kept in memory so a write to an empty lane is placed (and, its page
 * waiting, sent) without reading the log first (docs/architecture.md, The in-memory index).
 *
 * It errs one way only: a lane it calls empty holds no write. A write entering a lane marks it at
 * once, before its commit runs; a lane is forgotten only when a commit that saw it empty is
 * durable and no write entered it since that commit was asked for. Anything else that may empty
 * a lane (a discard, a dead letter) leaves it marked: the next write there reads the log, as
 * every write did before.
 */
export class LaneIndex {
  /** Lanes that may hold writes, each with the stamp of the last write that entered it. */
  private readonly busy = new Map<string, number>();
  private stamps = 0;
  private loaded = false;

  /** Whether `lane` surely holds no write (false until the index is loaded). */
  isEmpty(lane: string): boolean {
    return this.loaded && !this.busy.has(lane);
  }

  /** A write enters `lane` (appended, revived, renamed into it): from now on it may hold writes. */
  entered(lane: string): void {
    this.busy.set(lane, ++this.stamps);
  }

  /** The lane's stamp now: what `emptied` is given by a commit asked for at this moment. */
  stampOf(lane: string): number | undefined {
    return this.busy.get(lane);
  }

  /**
   * A durable commit, asked for at `stamp`, left `lane` empty: forgotten unless a write entered
   * since. Only a group commit may say so: it runs after every append asked for before it.
   */
  emptied(lane: string, stamp: number | undefined): void {
    if (stamp !== undefined && this.busy.get(lane) === stamp) this.busy.delete(lane);
  }

  /**
   * Marks every lane the log holds now, in one walk of the lane index's keys. Lanes are only
   * added, so a load racing with commits can make the index cautious, never wrong. Loaded again
   * when this worker becomes the sender: an older worker may have appended since.
   */
  async load(database: LogDatabase): Promise<void> {
    const index = (await database.db).transaction('entries').store.index('lane');
    // WebKit fails to open a cursor on an empty index ("Unable to open cursor"), so ask first.
    if ((await index.count()) > 0) {
      for (let cursor = await index.openKeyCursor(undefined, 'nextunique'); cursor; cursor = await cursor.continue()) this.entered(cursor.key);
    }
    this.loaded = true;
  }
}

import type { StoredEntry } from './entry';

/** The write behind a lane's head, as a confirmation's transaction read it, and what has to hold for it to be true still. */
interface Behind {
  /** The head it is behind: it is next only once that one is confirmed. */
  headId: string;
  next: StoredEntry;
  /** The lane's stamp (lane-index.ts) when that confirmation was asked for. */
  stamp: number | undefined;
  /** The log's other changes counted when that confirmation was asked for. */
  changes: number;
}

/**
 * Each lane's next-but-one write, read by the confirmation before (docs/architecture.md, The
 * lookahead), so a lane's next write goes the moment the answer before it is read, without
 * waiting for a transaction to read the log again.
 *
 * It is trusted only while nothing can have changed that write since it was read: no write entered
 * its lane since the confirmation that read it was asked for (a merge into it enters the lane),
 * and nothing else changed the log (a discard, a dead letter, a retry, a revive, a sign-out, the
 * database deleted: `changed`). A confirmation is a group commit, so it runs after every append
 * asked for before it. Anything in doubt reads the log, as every confirmation did before it.
 */
export class LaneLookahead {
  private readonly behind = new Map<string, Behind>();
  private changes = 0;

  /** What a confirmation asked for now records with what it reads: see `read`. */
  get changeCount(): number {
    return this.changes;
  }

  /** The log changed other than by an append or a confirmation: nothing read ahead is trusted. */
  changed(): void {
    this.changes += 1;
    this.behind.clear();
  }

  /**
   * A confirmation asked for at `stamp` and `changeCount` `changes` read its lane's new head and
   * the write behind it (`next`; undefined: none, or not read).
   */
  read(lane: string, head: StoredEntry | undefined, next: StoredEntry | undefined, stamp: number | undefined, changes: number): void {
    if (head === undefined || next === undefined || changes !== this.changes) this.behind.delete(lane);
    else this.behind.set(lane, { headId: head.id, next, stamp, changes });
  }

  /** A confirmation of `lane` failed: what it read is not the log. */
  forget(lane: string): void {
    this.behind.delete(lane);
  }

  /**
   * The write that comes next in `lane` once `confirmed` is, as stored, when it is surely still
   * that (`stampNow`: the lane's stamp now); undefined when the log must be read. Used once.
   */
  take(lane: string, confirmed: StoredEntry, stampNow: number | undefined): StoredEntry | undefined {
    const behind = this.behind.get(lane);
    this.behind.delete(lane);
    const sure = behind !== undefined && behind.headId === confirmed.id && behind.stamp === stampNow && behind.changes === this.changes;
    return sure ? behind.next : undefined;
  }
}

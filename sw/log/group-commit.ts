import { commitStores, type EntriesTx, type LogDatabase } from './database';

/** A change to the log waiting for the next group commit. */
interface Operation {
  run: (tx: EntriesTx) => Promise<unknown>;
  /** What it alone touches (a lane), when nothing else of it is shared: see `run`. */
  own: string | null;
  resolve: (result: never) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: changes that arrive while a commit is running (new writes, confirmations) go
 * together, in order, in the next transaction, so a burst costs few IndexedDB round trips. Each
 * resolves only once its transaction is durable.
 */
export class GroupCommit {
  private pending: Operation[] = [];
  private committing = false;

  constructor(private readonly database: LogDatabase) {}

  /**
   * Runs `run` in the next commit's transaction; resolves with its result once that is durable.
   * Changes run one after another, in order; but a run of consecutive changes that each touch only
   * records of their own (`own`: a lane no other of them touches) run side by side, so their
   * IndexedDB requests go out together instead of one round trip after another (a batch's
   * confirmations).
   */
  run<T>(run: (tx: EntriesTx) => Promise<T>, own: string | null = null): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ run, own, resolve: resolve as (result: never) => void, reject });
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
      tx = (await this.database.db).transaction([...commitStores], 'readwrite');
      const results: unknown[] = [];
      for (const group of sideBySide(batch)) results.push(...(await Promise.all(group.map((operation) => operation.run(tx!)))));
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
}

/** Consecutive operations cut into groups that may run side by side: changes of distinct own lanes, or one shared change alone. */
function sideBySide(batch: Operation[]): Operation[][] {
  const groups: Operation[][] = [];
  let owned = new Set<string>();
  for (const operation of batch) {
    const last = groups.at(-1);
    if (operation.own !== null && last !== undefined && last[0]!.own !== null && !owned.has(operation.own)) {
      last.push(operation);
    } else {
      groups.push([operation]);
      owned = new Set();
    }
    if (operation.own !== null) owned.add(operation.own);
  }
  return groups;
}

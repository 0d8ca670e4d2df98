import type { Pool, PoolClient } from 'pg';

// Clients whose connection broke while the kit held them (an 'error' event, or a ROLLBACK that failed).
const broken = new WeakSet<PoolClient>();

// The 'error' listener: one function for every client (its `this`), not a closure made per transaction.
function markBroken(this: PoolClient): void {
  discard(this);
}

// Marks `client` to be destroyed rather than handed back to the pool when `inTransaction` ends: its
// state is not what the kit knows of it (a statement it prepared is missing, say).
export function discard(client: PoolClient): void {
  broken.add(client);
}

// Runs `use` with a connection of `pool` inside BEGIN … (its own) COMMIT, rolling back when it
// throws. A connection that broke meanwhile (its backend terminated, the network gone) is
// destroyed rather than handed back to the pool, and its 'error' event does not crash the process:
// the failing query reports it.
export async function inTransaction<T>(pool: Pool, use: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  client.on('error', markBroken);
  try {
    return await use(client);
  } catch (error) {
    // Also after a failed COMMIT-carrying query: when its COMMIT did not run, the transaction is still open.
    await client.query('ROLLBACK').catch(() => broken.add(client));
    throw error;
  } finally {
    client.off('error', markBroken);
    client.release(broken.has(client));
  }
}

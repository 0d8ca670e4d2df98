import type { Pool, PoolClient } from 'pg';

// Runs `use` with a connection of `pool` inside BEGIN … (its own) COMMIT, rolling back when it
// throws. A connection that broke meanwhile (its backend terminated, the network gone) is
// destroyed rather than handed back to the pool, and its 'error' event does not crash the process:
// the failing query reports it.
export async function inTransaction<T>(pool: Pool, use: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  const onError = (): void => {
    broken = true;
  };
  client.on('error', onError);
  try {
    return await use(client);
  } catch (error) {
    // Also after a failed COMMIT-carrying query: when its COMMIT did not run, the transaction is still open.
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

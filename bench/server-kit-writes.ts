import type { PGlite, Transaction } from '@electric-sql/pglite';
import type pg from 'pg';
import type { ExactlyOnceHandler, FetchHandler, IdempotencyStore, StoredResponse } from '../server';

/** Anything `query` can be called on: a PGlite transaction or a pg client. */
interface Queryable {
  query(sql: string, params: unknown[]): Promise<unknown>;
}

export const WRITES_TABLE = 'CREATE TABLE IF NOT EXISTS bench_writes (id bigserial PRIMARY KEY, body text NOT NULL)';

/** The write both contenders do: one row, answered 201 with a small JSON body. */
async function insertRow(db: Queryable, request: Request): Promise<Response> {
  await db.query('INSERT INTO bench_writes (body) VALUES ($1)', [await request.text()]);
  return Response.json({ ok: true }, { status: 201 });
}

/** The app's write as the kit runs it: in the key's transaction. */
export function kitWrite<Tx extends Queryable>(): ExactlyOnceHandler<Tx> {
  return (request, context) => context.transaction((tx) => insertRow(tx, request));
}

/** What the store-alone write records: the answer `insertRow` gives, as the kit would keep it. */
const STORED_ANSWER: StoredResponse = { status: 201, headers: [['content-type', 'application/json']], body: new TextEncoder().encode('{"ok":true}') };
/** A fingerprint of a real one's length (a SHA-256 in hex), so that the key's row is the kit's size. */
const FINGERPRINT = '0'.repeat(64);

/**
 * The same write in the kit's store without the kit (`exactlyOnce`): the key's statements around
 * it in one transaction, the recorded answer given rather than read from the response, no digest.
 * What the kit's SQL costs a write, apart from the kit's own JavaScript (docs/server.md, Round trips per write).
 */
export function storeWrite<Tx extends Queryable>(store: IdempotencyStore<Tx>): FetchHandler {
  return async (request) => {
    const key = { scope: '', key: request.headers.get('idempotency-key') ?? '', fingerprint: FINGERPRINT };
    const result = await store.keyedTransaction!(key, async (tx) => ({ record: STORED_ANSWER, value: await insertRow(tx, request) }));
    if (result.kind !== 'ran') throw new Error(`a benchmark write's key was not free: ${result.kind}`);
    return result.value;
  };
}

const memoryRows: string[] = [];

/** The write of the memory contenders: a row in an array. */
export async function memoryWrite(request: Request): Promise<Response> {
  memoryRows.push(await request.text());
  return Response.json({ ok: true }, { status: 201 });
}

/** The same write with no kit, in a transaction of its own (what the app does without us). */
export function bareWrite(db: pg.Pool | PGlite): FetchHandler {
  if ('connect' in db) {
    return async (request) => {
      const client = await db.connect();
      try {
        await client.query('BEGIN');
        const response = await insertRow(client, request);
        await client.query('COMMIT');
        return response;
      } finally {
        client.release();
      }
    };
  }
  return (request) => db.transaction((tx: Transaction) => insertRow(tx, request));
}

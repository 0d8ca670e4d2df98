import type { PGlite, Transaction } from '@electric-sql/pglite';
import type pg from 'pg';
import type { ExactlyOnceHandler, FetchHandler } from '../server';

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

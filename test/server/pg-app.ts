// One server process of the multi-process tests and benchmark: an app whose every write is one row
// in `applied`, on sw-outbox/server with the Postgres store (its writes `transactional` with
// TRANSACTIONAL=1). Prints its port when it listens.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { exactlyOnce } from '../../server';
import { pgStore } from '../../server/pg';
import { nodeHandler } from '../../server/node';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
const setup = await pool.connect();
// Processes start together: the lock keeps their CREATE TABLE from racing.
await setup.query('BEGIN; SELECT pg_advisory_xact_lock(42); CREATE TABLE IF NOT EXISTS applied (id serial PRIMARY KEY, key text, pid integer); COMMIT');
setup.release();
const store = await pgStore({ pool, leaseMs: Number(process.env.LEASE_MS ?? 10_000) });

const handler = exactlyOnce(
  async (request, context) => {
    // A header, not the query, so that a retry of the same write may be quick: headers are not fingerprinted.
    const slowMs = Number(request.headers.get('x-slow-ms') ?? 0);
    return context.transaction(async (client) => {
      const row = await client.query<{ id: number }>('INSERT INTO applied (key, pid) VALUES ($1, $2) RETURNING id', [context.key ?? null, process.pid]);
      if (slowMs > 0) await new Promise((resolve) => setTimeout(resolve, slowMs));
      return Response.json({ id: row.rows[0]?.id, pid: process.pid }, { status: 201 });
    });
  },
  { store, transactional: process.env.TRANSACTIONAL === '1' },
);

const server = createServer(nodeHandler(handler));
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (server.address() as AddressInfo).port })));

// One server process of the benchmark's writes/s runs: each write is one row, on sw-outbox/server
// with the Postgres store, its writes `transactional` (SIDE=kit); with no kit (SIDE=bare); or in the
// kit's store without the kit (SIDE=store). Prints its port when it listens.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { exactlyOnce } from '../server';
import { pgStore } from '../server/pg';
import { nodeHandler } from '../server/node';
import { bareWrite, kitWrite, storeWrite } from './server-kit-writes';

// Idle connections are kept: the benchmark measures each set of processes in turn, and with pg's
// default (closed after 10 s idle) a set's pool had closed by its next run, which then began by
// opening all of them again (a fork, a login and cold caches per backend, and for the kit the
// statements it prepares per connection): what was measured was partly connecting, not writing.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_MAX ?? 16), idleTimeoutMillis: 0 });
const side = process.env.SIDE;
if (side !== 'bare' && side !== 'store' && side !== 'kit') throw new Error(`SIDE must be bare, store or kit, got ${String(side)}`);
const handler =
  side === 'bare' ? bareWrite(pool) : side === 'store' ? storeWrite(await pgStore({ pool })) : exactlyOnce(kitWrite<pg.PoolClient>(), { store: await pgStore({ pool }), transactional: true });
const server = createServer(nodeHandler(handler));
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (server.address() as AddressInfo).port })));

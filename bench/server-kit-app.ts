// One server process of the benchmark's writes/s runs: each write is one row, on sw-outbox/server
// with the Postgres store, its writes `transactional` (or bare, with BARE=1). Prints its port when it listens.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { exactlyOnce } from '../server';
import { pgStore } from '../server/pg';
import { nodeHandler } from '../server/node';
import { bareWrite, kitWrite } from './server-kit-writes';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_MAX ?? 16) });
const handler = process.env.BARE === '1' ? bareWrite(pool) : exactlyOnce(kitWrite<pg.PoolClient>(), { store: await pgStore({ pool }), transactional: true });
const server = createServer(nodeHandler(handler));
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (server.address() as AddressInfo).port })));

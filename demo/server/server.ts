import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pgliteStore } from '../../server/pglite';
import { demoWrites, handleApi } from './api';
import { isWriteMethod } from './route';
import { DEFAULT_BATCH_PATH } from '../../server';
import type { ApiContext } from './api';
import { KEYS_TABLE, openDatabase } from './db';
import { FaultInjector } from './faults';
import { jsonError, send, sendApiResponse, sleep } from './http';
import { htmlCsp, serveStatic } from './static';
import { handleTestHook } from './test-hooks';

export interface ServerOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** PGlite data folder; created when missing, and kept across restarts. */
  dataDir: string;
  /** Enables the /__test/ endpoints. */
  testHooks?: boolean;
  /** Searched in order for GET requests outside /api/ and /__test/. */
  staticDirs?: string[];
  /** Origins pages may also connect to (added to the CSP's connect-src). */
  connectSources?: string[];
  /** Added before every /api/ response, to simulate a slow network in benchmarks. */
  latencyMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

interface App extends ApiContext {
  testHooks: boolean;
  traffic: { batches: number };
  staticDirs: string[];
  csp: string;
  latencyMs: number;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const db = await openDatabase(path.resolve(options.dataDir));
  const keys = await pgliteStore({ db, table: KEYS_TABLE });
  const faults = new FaultInjector();
  const app: App = {
    db,
    faults,
    writes: demoWrites(db, keys, faults),
    testHooks: options.testHooks ?? false,
    traffic: { batches: 0 },
    staticDirs: (options.staticDirs ?? []).map((dir) => path.resolve(dir)),
    csp: htmlCsp(options.connectSources),
    latencyMs: options.latencyMs ?? 0,
  };

  // Tracked so close() can let running handlers finish before the database goes away.
  const pending = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const handled = handleRequest(app, req, res);
    pending.add(handled);
    void handled.finally(() => pending.delete(handled));
  });

  let port: number;
  try {
    port = await listen(server, options.port ?? 0, host);
  } catch (error) {
    await keys.close();
    await db.close();
    throw error;
  }

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
    await Promise.allSettled([...pending]);
    await keys.close();
    await db.close();
  };

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    port,
    close: () => (closing ??= close()),
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function isUnder(pathname: string, prefix: string): boolean {
  return pathname === prefix || pathname.startsWith(`${prefix}/`);
}

/** Never rejects: every failure becomes a 500 (or a dropped connection) and a line on stderr. */
async function handleRequest(app: App, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const target = req.url ?? '/';
  const pathname = target.split(/[?#]/, 1)[0] ?? '/';
  try {
    if (isUnder(pathname, '/api')) {
      if (pathname === DEFAULT_BATCH_PATH && req.method === 'POST') app.traffic.batches++;
      const response = await handleApi(app, req, target, pathname);
      // A connection lost after the server applied the write: the client never hears the answer.
      if (isWriteMethod(req.method ?? 'GET') && app.faults.takeCut()) return void res.destroy();
      await sleep(app.latencyMs);
      sendApiResponse(res, { ...response, headers: { ...response.headers, 'Cache-Control': app.faults.cacheControl(req.method ?? 'GET') } });
    } else if (isUnder(pathname, '/__test')) {
      sendApiResponse(res, app.testHooks ? await handleTestHook(app, req, pathname) : jsonError(404, 'not found'));
    } else if (req.method === 'GET' || req.method === 'HEAD') {
      const file = await serveStatic(app.staticDirs, pathname, app.csp);
      send(res, file.status, file.headers, file.body);
    } else {
      send(res, 405, { 'Content-Type': 'text/plain; charset=utf-8', Allow: 'GET, HEAD' }, 'Method not allowed\n');
    }
  } catch (error) {
    console.error(`sw-outbox demo: ${req.method ?? '?'} ${target} failed:`, error instanceof Error ? error.message : error);
    if (res.headersSent) res.destroy();
    else sendApiResponse(res, jsonError(500, 'internal server error'));
  }
}

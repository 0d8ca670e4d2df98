// The benchmark's local server: one blank page per contender (each its own worker scope), the
// workers, and an API that answers writes at once or after an added latency, counting them.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { exactlyOnce } from '../server';
import { memoryStore } from '../server/memory-store';
import { nodeHandler } from '../server/node';

const root = resolve(import.meta.dirname, '..');

/** Worker script of each contender, served inside its own scope. */
const workers: Record<string, string> = {
  '/outbox/outbox-sw.js': 'dist/outbox-sw.js',
  '/kit/outbox-sw.js': 'dist/outbox-sw.js',
  '/workbox/workbox-sw.js': 'dist/bench/workbox-sw.js',
  '/pass/pass-sw.js': 'dist/bench/pass-sw.js',
  '/echo/echo-sw.js': 'dist/bench/echo-sw.js',
  '/durable/durable-sw.js': 'dist/bench/durable-sw.js',
};

/** How many items a collection read lists (the drains write over 100 resources). */
const itemCount = 100;

export interface BenchServer {
  url: string;
  /** Latency added before every API answer. */
  latencyMs: number;
  /** Resolves once `count` writes under `/<scope>/api/` have been answered since the last reset. */
  waitForWrites(scope: string, count: number, timeoutMs: number): Promise<void>;
  writes(scope: string): number;
  /**
   * Since the last reset, for each write on a connection that carried one before: ms from that
   * write's answer to this one's arrival. A browser sends one request at a time on a connection,
   * so while its six are busy this is what the client took between an answer and its next write.
   */
  gapsMs(): number[];
  resetCounts(): void;
  close(): Promise<void>;
}

export async function startBenchServer(): Promise<BenchServer> {
  const counts = new Map<string, number>();
  const waiters: { scope: string; count: number; resolve: () => void }[] = [];
  let version = 0;
  // When each connection's last write was answered, and the gaps from there to its next write.
  let answeredAt = new WeakMap<object, number>();
  let gaps: number[] = [];

  const state: BenchServer = {
    url: '',
    latencyMs: 0,
    writes: (scope) => counts.get(scope) ?? 0,
    gapsMs: () => gaps,
    resetCounts: () => {
      counts.clear();
      answeredAt = new WeakMap();
      gaps = [];
    },
    waitForWrites: (scope, count, timeoutMs) =>
      new Promise<void>((resolveWait, reject) => {
        if (state.writes(scope) >= count) return resolveWait();
        const timer = setTimeout(() => reject(new Error(`${scope}: ${state.writes(scope)} of ${count} writes after ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ scope, count, resolve: () => (clearTimeout(timer), resolveWait()) });
      }),
    close: () => new Promise((done) => (server.closeAllConnections(), server.close(() => done()))),
  };

  /** A write answered: counted for its scope, and whoever waits for that count told. */
  function counted(scope: string): void {
    version++;
    counts.set(scope, state.writes(scope) + 1);
    for (const waiter of waiters.filter((w) => w.scope === scope && state.writes(scope) >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }

  // The `kit` scope's API runs on sw-outbox/server, as an app's would: it answers batches at
  // /kit/api/$batch by itself (and names that URL on its answers), each write through the handler.
  const kit = nodeHandler(
    exactlyOnce(
      async (request) => {
        await request.arrayBuffer();
        counted('kit');
        return Response.json({ id: version, version }, { status: request.method === 'POST' ? 201 : 200, headers: { ETag: `"${version}"` } });
      },
      { store: memoryStore(), batch: { path: '/kit/api/$batch', maxWrites: 100, maxBytes: 1024 * 1024 } },
    ),
  );

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://bench');
    const scope = url.pathname.split('/')[1] ?? '';
    if (scope === 'kit' && url.pathname.startsWith('/kit/api/') && request.method !== 'GET') {
      // The added latency is the network's: once per request, whatever it carries.
      if (state.latencyMs > 0) await new Promise((done) => setTimeout(done, state.latencyMs));
      kit(request, response);
      return;
    }
    if (request.method === 'GET' && workers[url.pathname]) {
      response.writeHead(200, { 'Content-Type': 'text/javascript', 'Cache-Control': 'no-cache' });
      response.end(await readFile(resolve(root, workers[url.pathname]!)));
      return;
    }
    if (url.pathname.startsWith(`/${scope}/api/`) && request.method !== 'GET') {
      const before = answeredAt.get(request.socket);
      if (before !== undefined) gaps.push(performance.now() - before);
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      if (state.latencyMs > 0) await new Promise((done) => setTimeout(done, state.latencyMs));
      counted(scope);
      const created = request.method === 'POST';
      response.writeHead(created ? 201 : 200, { 'Content-Type': 'application/json', ETag: `"${version}"` });
      response.end(JSON.stringify({ id: version, version, size: Buffer.concat(chunks).length }));
      answeredAt.set(request.socket, performance.now());
      return;
    }
    if (request.method === 'GET' && url.pathname.startsWith(`/${scope}/api/items/`)) {
      // Reads, for the drains that learn what they write on: the collection (members with no
      // version, as most APIs give them) or one item with its ETag. Items never change here.
      if (state.latencyMs > 0) await new Promise((done) => setTimeout(done, state.latencyMs));
      const id = url.pathname.slice(`/${scope}/api/items/`.length);
      const item = (n: string | number) => ({ id: Number(n), title: `item ${n}`, done: false });
      const body = id === '' ? Array.from({ length: itemCount }, (_, n) => item(n)) : item(id);
      response.writeHead(200, { 'Content-Type': 'application/json', ...(id === '' ? {} : { ETag: '"item"' }) });
      response.end(JSON.stringify(body));
      return;
    }
    if (request.method === 'GET' && url.pathname === `/${scope}/`) {
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end('<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>bench</title>');
      return;
    }
    response.writeHead(404).end();
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      console.error(error);
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

// `npm run bench`: sw-outbox against Workbox Background Sync and the floors (raw idb, plain
// fetch), in one Chromium, on one local server, with and without added latency. Prints a table,
// writes bench/results.json and draws bench/results.svg. Sizes can be scaled down for a quick
// look: BENCH_SCALE=0.1.
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../e2e/browser';
import { workerUrlWithSettings } from '../protocol';
import { startBenchServer, type BenchServer } from './server';
import { WorkerHeap } from './worker-heap';
import { median, printRows, report, type Row } from './report';

type Contender = 'outbox' | 'kit' | 'workbox' | 'pass' | 'durable' | 'echo' | 'none';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const size = (n: number): number => Math.max(10, Math.round(n * scale));
const outboxSettings = { routes: ['/outbox/api/'], coalesce: false };
const workerUrl: Record<Contender, string | null> = {
  outbox: '/outbox/outbox-sw.js',
  kit: '/kit/outbox-sw.js',
  workbox: '/workbox/workbox-sw.js',
  pass: '/pass/pass-sw.js',
  echo: '/echo/echo-sw.js',
  durable: '/durable/durable-sw.js',
  none: null,
};


const rows: Row[] = [];
let server: BenchServer;
let browser: Browser;

/** A fresh context on a contender's page, its worker (if any) controlling it, with `settings` for sw-outbox's. */
async function open(contender: Contender, settings: Record<string, unknown> | null = contender === 'outbox' ? outboxSettings : null): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/${contender}/`);
  const path = workerUrl[contender];
  const script = path && workerUrlWithSettings(path, settings, server.url);
  if (script) {
    await page.evaluate(async ({ script, scope }) => {
      await navigator.serviceWorker.register(script, { scope });
      if (!navigator.serviceWorker.controller) {
        await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
      }
    }, { script, scope: `/${contender}/` });
  }
  return { context, page };
}

/** Fires `count` writes at once from the page; resolves when every one has an answer (or failed). */
function fireWrites(page: Page, scope: string, method: string, count: number, resources: number, offset = 0) {
  return page.evaluate(
    async ({ scope, method, count, resources, offset }) => {
      const started = performance.now();
      const results = await Promise.allSettled(
        Array.from({ length: count }, (_, i) =>
          fetch(`/${scope}/api/items/${method === 'POST' ? '' : (offset + i) % resources}`, {
            method,
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ title: `item ${offset + i}`, done: false, n: offset + i }),
          }).then((response) => response.status),
        ),
      );
      const statuses = results.map((result) => (result.status === 'fulfilled' ? result.value : 0));
      return { ms: performance.now() - started, statuses };
    },
    { scope, method, count, resources, offset },
  );
}

/** Counts Workbox's queued requests in its own database. */
function workboxQueued(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('workbox-background-sync');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('requests')) return resolve(0);
          const count = db.transaction('requests').objectStore('requests').count();
          count.onsuccess = () => (db.close(), resolve(count.result));
        };
      }),
  );
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function enqueue(count: number): Promise<void> {
  for (const contender of ['outbox', 'workbox', 'echo'] as const) {
    const { context, page } = await open(contender);
    await context.setOffline(true);
    const started = performance.now();
    const fired = await fireWrites(page, contender, 'POST', count, 1);
    if (contender !== 'workbox' && fired.statuses.some((status) => status !== 202)) throw new Error(`${contender} did not queue every write`);
    if (contender === 'workbox') await until(async () => (await workboxQueued(page)) >= count, 120_000);
    rows.push({ scenario: 'enqueue', contender: contender === 'echo' ? 'sw floor' : contender, latencyMs: 0, count, ms: performance.now() - started });
    await context.close();
  }
  const { context, page } = await open('none');
  const ms = await page.evaluate(async (count) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('floor', 1);
      request.onupgradeneeded = () => request.result.createObjectStore('requests', { autoIncrement: true });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const started = performance.now();
    const tx = db.transaction('requests', 'readwrite');
    for (let i = 0; i < count; i++) {
      const body = new TextEncoder().encode(JSON.stringify({ title: `item ${i}`, done: false, n: i })).buffer;
      tx.objectStore('requests').put({ url: `${location.origin}/none/api/items/`, method: 'POST', headers: [['content-type', 'application/json']], body, timestamp: Date.now() });
    }
    await new Promise((resolve, reject) => ((tx.oncomplete = resolve), (tx.onerror = reject)));
    return performance.now() - started;
  }, count);
  rows.push({ scenario: 'enqueue', contender: 'idb floor', latencyMs: 0, count, ms });
  await context.close();
}

/**
 * What the page read before going offline, so the worker learned what the writes are based on:
 * nothing; each item (their ETags: versions known); or only the collection (members without a
 * version: each lane's head is read before it goes, docs/protocol.md, Verification).
 */
type Learned = 'nothing' | 'items' | 'collection';

/** Reads what `learned` says through the worker, and waits until the worker has taken it in. */
async function readBefore(page: Page, learned: Learned, resources: number): Promise<void> {
  if (learned === 'nothing') return;
  await page.evaluate(async ({ learned, resources }) => {
    const urls = learned === 'collection' ? ['/outbox/api/items/'] : Array.from({ length: resources }, (_, i) => `/outbox/api/items/${i}`);
    await Promise.all(urls.map((url) => fetch(url).then((response) => response.text())));
  }, { learned, resources });
  // The worker learns from a read after answering it.
  await until(() => page.evaluate((resources) => new Promise<boolean>((resolve) => {
    const open = indexedDB.open('sw-outbox');
    open.onsuccess = () => {
      if (!open.result.objectStoreNames.contains('versions')) return (open.result.close(), resolve(false));
      const count = open.result.transaction('versions').objectStore('versions').count();
      count.onsuccess = () => (open.result.close(), resolve(count.result >= resources));
    };
    open.onerror = () => resolve(false);
  }), resources), 30_000);
}

/** Queues `count` writes over `resources` offline, reconnects, and times until the server has them all. */
async function drainQueued(contender: 'outbox' | 'workbox', count: number, resources: number, latencyMs: number, sampleHeap = false, learned: Learned = 'nothing'): Promise<Row> {
  const { context, page } = await open(contender);
  await readBefore(page, learned, resources);
  await context.setOffline(true);
  for (let offset = 0; offset < count; offset += 1000) await fireWrites(page, contender, 'PATCH', Math.min(1000, count - offset), resources, offset);
  if (contender === 'workbox') await until(async () => (await workboxQueued(page)) >= count, 120_000);
  server.resetCounts();
  server.latencyMs = latencyMs;
  const heap: number[] = [];
  const probe = sampleHeap ? await WorkerHeap.attach(browser, '/outbox/') : null;
  if (probe) heap.push(await probe.liveMb());
  const sampler = probe ? setInterval(() => void probe.liveMb().then((mb) => heap.push(mb)), 1000) : null;
  const started = performance.now();
  await context.setOffline(false);
  await server.waitForWrites(contender, count, 600_000);
  const row: Row = { scenario: 'drain', contender, latencyMs, count, ms: performance.now() - started, gapP50: median(server.gapsMs()) };
  if (sampler) clearInterval(sampler);
  if (probe) {
    heap.push(await probe.liveMb());
    await probe.detach();
    row.workerHeapMb = heap;
  }
  server.latencyMs = 0;
  await context.close();
  return row;
}

/**
 * Queues `count` writes over `resources` offline against the server on the kit, reconnects, and
 * times until it has them all: batched (the worker learned the batch URL from an answer before
 * going offline), or one request per write (`batch: 'off'`).
 */
async function drainOnKit(batched: boolean, count: number, resources: number, latencyMs: number): Promise<Row> {
  const { context, page } = await open('kit', { routes: ['/kit/api/'], coalesce: false, batch: batched ? 'auto' : 'off' });
  // One write online first: its answer names the batch URL.
  await fireWrites(page, 'kit', 'PATCH', 1, resources);
  await context.setOffline(true);
  for (let offset = 0; offset < count; offset += 1000) await fireWrites(page, 'kit', 'PATCH', Math.min(1000, count - offset), resources, offset);
  server.resetCounts();
  server.latencyMs = latencyMs;
  const started = performance.now();
  await context.setOffline(false);
  await server.waitForWrites('kit', count, 600_000);
  const ms = performance.now() - started;
  server.latencyMs = 0;
  await context.close();
  return { scenario: 'batch', contender: batched ? 'batched' : 'one per write', latencyMs, count, ms };
}

async function drainFloor(count: number, resources: number, latencyMs: number): Promise<Row> {
  const { context, page } = await open('none');
  server.resetCounts();
  server.latencyMs = latencyMs;
  const ms = await page.evaluate(async ({ count, resources }) => {
    const started = performance.now();
    let next = 0;
    // Six at a time, as Chromium allows to one HTTP/1.1 host. (No named functions in here: the
    // bundler would wrap them in a helper the page does not have.)
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let i = next++; i < count; i = next++) {
          await fetch(`/none/api/items/${i % resources}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ n: i }) });
        }
      }),
    );
    return performance.now() - started;
  }, { count, resources });
  server.latencyMs = 0;
  await context.close();
  return { scenario: 'drain', contender: 'fetch floor', latencyMs, count, ms, gapP50: median(server.gapsMs()) };
}

async function online(contender: Contender, count: number, latencyMs: number): Promise<Row> {
  const { context, page } = await open(contender);
  server.latencyMs = latencyMs;
  const timings = await page.evaluate(async ({ scope, count }) => {
    const times: number[] = [];
    // The first 20 warm up and are not counted.
    for (let i = -20; i < count; i++) {
      const started = performance.now();
      const response = await fetch(`/${scope}/api/items/`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ title: `item ${i}` }) });
      await response.text();
      if (i >= 0) times.push(performance.now() - started);
    }
    return times;
  }, { scope: contender, count });
  server.latencyMs = 0;
  await context.close();
  const sorted = [...timings].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { scenario: 'online', contender, latencyMs, count, ms: sorted.reduce((a, b) => a + b, 0), p50: at(0.5), p95: at(0.95) };
}

/**
 * BENCH_ONLY=batch,drain picks scenarios for a quick look: their rows are printed and nothing is
 * written (the results and the chart are those of a whole run).
 */
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
const runs = (scenario: string): boolean => only === null || only.has(scenario);

async function main(): Promise<void> {
  server = await startBenchServer();
  browser = await chromium.launch(chromiumLaunchOptions());
  const version = browser.version();
  const n = size(1000);
  try {
    if (runs('enqueue')) {
      console.error(`enqueue ${n}…`);
      await enqueue(n);
    }
    for (const latency of [0, 20]) {
      if (runs('drain')) {
        console.error(`drain ${n} over 100 resources, +${latency} ms…`);
        rows.push(await drainQueued('outbox', n, 100, latency));
        rows.push(await drainQueued('workbox', n, 100, latency));
      }
      if (runs('drain') || runs('batch')) rows.push(await drainFloor(n, 100, latency));
      if (runs('batch')) {
        console.error(`drain ${n} over 100 resources on the kit, +${latency} ms, batched / one request per write…`);
        rows.push(await drainOnKit(true, n, 100, latency));
        rows.push(await drainOnKit(false, n, 100, latency));
      }
      if (runs('versions')) {
        console.error(`drain ${n} over 100 resources, +${latency} ms, versions known / verified by a read…`);
        rows.push({ ...(await drainQueued('outbox', n, 100, latency, false, 'items')), scenario: 'versions', contender: 'known' });
        rows.push({ ...(await drainQueued('outbox', n, 100, latency, false, 'collection')), scenario: 'versions', contender: 'verified' });
      }
      if (runs('online')) {
        console.error(`online, +${latency} ms…`);
        for (const contender of ['outbox', 'durable', 'pass', 'none'] as const) rows.push(await online(contender, size(300), latency));
      }
    }
    if (runs('scale')) {
      for (const count of [size(1000), size(5000), size(20000)]) {
        console.error(`scale: drain ${count}…`);
        const row = await drainQueued('outbox', count, 100, 0, true);
        rows.push({ ...row, scenario: 'scale' });
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }

  if (only === null) report(rows, version, scale);
  else printRows(rows);
}

await main();

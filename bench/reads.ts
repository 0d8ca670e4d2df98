// `npm run bench:reads`: what an offline read costs. One Chromium, the demo server (PGlite) on
// loopback, the drop-in page: the p50 of a read online, of one answered from the kept copy with 0
// and with 50 pending writes laid over it, and of a 1 000-item collection, kept and overlaid; and
// the overlay rule alone on that collection. Prints one table.
import { chromium, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromiumLaunchOptions } from '../e2e/browser';
import { startServer } from '../demo/server/server';
import { overlayRead, type OverlayWrite } from '../sw/reads/overlay';

const rounds = Number(process.env.BENCH_ROUNDS ?? 40);
const items = 1000;
const pendingWrites = 50;

/** p50 in ms of `rounds` reads of `url` from the page (through its worker). */
async function readP50(page: Page, url: string): Promise<number> {
  const times = await page.evaluate(
    async ({ url, rounds }) => {
      const times: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const started = performance.now();
        const response = await fetch(url);
        await response.text();
        if (!response.ok) throw new Error(`read ${url}: HTTP ${response.status}`);
        times.push(performance.now() - started);
      }
      return times;
    },
    { url, rounds },
  );
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

/** p50 in ms of the overlay rule alone: `writes` pending edits laid over a collection of `items`. */
function overlayP50(collection: unknown[], writes: OverlayWrite[]): number {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    overlayRead('http://bench.test/api/todos', collection, writes, { idField: 'id', selfField: null }, true);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-reads-'));
  const root = path.resolve(import.meta.dirname, '..');
  const server = await startServer({ dataDir, testHooks: true, staticDirs: ['dist/demo', 'dist', 'e2e/pages'].map((dir) => path.join(root, dir)) });
  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    const api = `${server.url}api/todos`;
    const bodies = await Promise.all(
      Array.from({ length: items }, (_, n) => fetch(api, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ title: `item ${n}` }) }).then((r) => r.json() as Promise<{ id: number }>)),
    );
    const item = `/api/todos/${bodies[0]!.id}`;
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}dropin.html`);
    await page.evaluate(() => (window as unknown as { outbox: { ready: Promise<unknown> } }).outbox.ready.then(() => undefined));
    const rows: [string, number][] = [];
    rows.push(['item, online (read, kept, nothing pending)', await readP50(page, item)]);
    rows.push([`collection of ${items}, online`, await readP50(page, '/api/todos')]);
    await context.setOffline(true);
    rows.push(['item, offline from the kept copy, 0 pending', await readP50(page, item)]);
    rows.push([`collection of ${items}, offline, 0 pending`, await readP50(page, '/api/todos')]);
    await page.evaluate(
      async ({ item, count }) => {
        for (let i = 0; i < count; i++) await fetch(item, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ notes: `edit ${i}` }) });
      },
      { item, count: pendingWrites },
    );
    rows.push([`item, offline from the kept copy, ${pendingWrites} pending laid over`, await readP50(page, item)]);
    rows.push([`collection of ${items}, offline, ${pendingWrites} pending laid over`, await readP50(page, '/api/todos')]);
    const collection = bodies.map((body) => ({ ...body }));
    const writes = Array.from({ length: pendingWrites }, (_, n): OverlayWrite => ({
      method: 'PATCH', resource: `http://bench.test/api/todos/${bodies[n * 7]!.id}`, json: { notes: `edit ${n}` }, tempId: null, tempUrl: null, count: 1,
    }));
    rows.push([`overlay rule alone: ${items} items, ${pendingWrites} edits of members (Node)`, overlayP50(collection, writes)]);
    console.log('read                                                         p50 ms');
    for (const [name, ms] of rows) console.log(`${name.padEnd(60)} ${ms.toFixed(2).padStart(7)}`);
  } finally {
    await browser.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();

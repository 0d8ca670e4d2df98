// The fault suite: a seeded random schedule of writes from two tabs over many items while the
// network drops, the server fails, dies and comes back, the worker is stopped, the browser is
// closed and relaunched, and the worker is updated. Then the server is checked against a model of
// what was written: nothing lost, nothing applied twice, every item's writes in order, and every
// tab showing what the server has. FAULT_STEPS sets the length (`npm run soak` runs a long one).
import { test, expect, chromium, type BrowserContext, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumLaunchOptions } from './browser';
import { outboxStatus, pageFetch, stopServiceWorkers } from '../testing';
import { workerUrlWithSettings } from '../protocol';

const steps = Number(process.env.FAULT_STEPS ?? 80);
// The default seed's schedule meets every kind of fault at least once (checked below).
const defaultSeed = 4;
const seed = Number(process.env.FAULT_SEED ?? defaultSeed);
// Its own server, beside the suite's (E2E_PORT): runs side by side must not share it.
const port = Number(process.env.FAULT_PORT ?? Number(process.env.E2E_PORT ?? 4455) + 11);
const origin = `http://127.0.0.1:${port}`;
const items = 8;

/** A small seeded generator (mulberry32): the same seed gives the same schedule. */
function random(seedValue: number): () => number {
  let state = seedValue >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The demo server as a real process, so it can be killed mid-replay and started again. */
class ServerProcess {
  private child: ChildProcess | null = null;
  constructor(private readonly dataDir: string) {}

  async start(): Promise<void> {
    this.child = spawn('npx', ['tsx', 'demo/server/main.ts'], {
      env: { ...process.env, PORT: String(port), DATA_DIR: this.dataDir, OUTBOX_TEST_HOOKS: '1', STATIC_DIRS: 'dist/demo:dist:e2e/pages' },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    await new Promise<void>((resolve, reject) => {
      this.child!.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('sw-outbox demo:') && resolve());
      this.child!.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
  }

  /** SIGKILL: no shutdown, no flush; whatever was in flight is cut. */
  kill(): void {
    if (this.child?.pid) process.kill(-this.child.pid, 'SIGKILL');
    this.child = null;
  }

  async api(path: string, init?: RequestInit): Promise<Response> {
    return fetch(`${origin}${path}`, init);
  }
}

test('fault suite: nothing lost, nothing doubled, order kept, every tab equal to the server', async () => {
  test.setTimeout(90_000 + steps * 2_500);
  const rand = random(seed);
  const dataDir = mkdtempSync(join(tmpdir(), 'outbox-faults-db-'));
  const profile = mkdtempSync(join(tmpdir(), 'outbox-faults-browser-'));
  const server = new ServerProcess(dataDir);
  await server.start();
  const ids: number[] = [];
  for (let i = 0; i < items; i++) ids.push(((await (await server.api('/api/todos', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ title: `item ${i}` }) })).json()) as { id: number }).id);

  // faults.html sets the worker up: it opens from the worker's shell when the server is down, and
  // versions are off so the check is of delivery alone (conflicts have their own suite).
  const settings = { routes: ['/api/'], coalesce: false, versioning: 'off', maxAttempts: 1000, maxBackoffMs: 2000, shell: ['/faults.html', '/outbox.js'] };
  let context: BrowserContext;
  let tabs: Page[] = [];
  let serverUp = true;
  let offline = false;
  let updates = 0;
  const launch = async () => {
    context = await chromium.launchPersistentContext(profile, { ...chromiumLaunchOptions(), baseURL: origin });
    tabs = [];
    for (let t = 0; t < 2; t++) {
      const page = context.pages()[t] ?? (await context.newPage());
      await page.goto('/faults.html');
      await page.evaluate(() => window.outbox.ready.then(() => undefined));
      tabs.push(page);
    }
  };
  const configure = async (page: Page, extra: Record<string, unknown>) =>
    page.evaluate(async (url) => {
      const changed = new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
      await navigator.serviceWorker.register(url);
      await Promise.race([changed, new Promise((resolve) => setTimeout(resolve, 5000))]);
    }, workerUrlWithSettings('/outbox-sw.js', { ...settings, ...extra }, origin));
  await launch();

  // The model: per item, the notes written, in the order the tabs wrote them.
  const expected = new Map<number, string[]>(ids.map((id) => [id, []]));
  const faults: Record<string, number> = {};
  const count = (fault: string) => (faults[fault] = (faults[fault] ?? 0) + 1);
  let written = 0;

  for (let step = 0; step < steps; step++) {
    const roll = rand();
    if (process.env.FAULT_TRACE) console.error(`step ${step} roll ${roll.toFixed(2)} server ${serverUp ? 'up' : 'down'} ${offline ? 'offline' : 'online'}`);
    if (roll < 0.6) {
      const tab = tabs[Math.floor(rand() * tabs.length)]!;
      const id = ids[Math.floor(rand() * ids.length)]!;
      const note = `w${written++}`;
      const answer = await pageFetch(tab, `/api/todos/${id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ notes: note }) });
      expect([200, 202]).toContain(answer.status);
      expected.get(id)!.push(note);
    } else if (roll < 0.7) {
      offline = !offline;
      await context!.setOffline(offline);
      count(offline ? 'network off' : 'network on');
    } else if (roll < 0.77) {
      if (!serverUp) continue;
      const retryAfter = rand() < 0.5 ? { retryAfter: '1' } : {};
      await server.api('/__test/faults', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ fail: { count: 1 + Math.floor(rand() * 4), status: rand() < 0.5 ? 500 : 503, ...retryAfter } }) });
      count('server 5xx');
    } else if (roll < 0.84) {
      if (serverUp) {
        server.kill();
        count('server killed');
      } else {
        await server.start();
        count('server restarted');
      }
      serverUp = !serverUp;
    } else if (roll < 0.9) {
      await stopServiceWorkers(tabs[0]!);
      count('worker stopped');
    } else if (roll < 0.95) {
      await context!.close();
      await launch();
      if (offline) await context!.setOffline(true);
      count('browser relaunched');
    } else {
      if (offline || !serverUp) continue; // a new worker script can only be fetched from a live server
      await configure(tabs[0]!, { maxBackoffMs: 2000 + ++updates });
      count('worker updated');
    }
    await tabs[0]!.waitForTimeout(Math.floor(rand() * 150));
  }

  // Settle: network on, server up and healthy, then wait for the queue to drain.
  await context!.setOffline(false);
  if (!serverUp) await server.start();
  await server.api('/__test/faults', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  await expect.poll(async () => (await outboxStatus(tabs[0]!)).pending, { timeout: 120_000, intervals: [500] }).toBe(0);

  const writes = (await (await server.api('/__test/writes')).json()) as { method: string; todoId: number; body: string }[];
  let lost = 0;
  let duplicated = 0;
  let outOfOrder = 0;
  for (const [id, notes] of expected) {
    const applied = writes.filter((write) => write.method === 'PATCH' && write.todoId === id).map((write) => (JSON.parse(write.body) as { notes: string }).notes);
    lost += notes.filter((note) => !applied.includes(note)).length;
    duplicated += applied.length - new Set(applied).size;
    const firsts = applied.filter((note, index) => applied.indexOf(note) === index);
    if (JSON.stringify(firsts) !== JSON.stringify(notes.filter((note) => firsts.includes(note)))) outOfOrder++;
  }
  const serverView = JSON.stringify((await (await server.api('/api/todos')).json()) as unknown);
  const tabViews = await Promise.all(tabs.map(async (tab) => (await pageFetch(tab, '/api/todos', { method: 'GET' })).text));
  const faultCount = Object.values(faults).reduce((a, b) => a + b, 0);
  console.log(`fault suite (seed ${seed}, ${steps} steps): writes tried ${written}, faults injected ${faultCount} ${JSON.stringify(faults)}, lost ${lost}, duplicated ${duplicated}, out of order ${outOfOrder}`);

  await context!.close();
  server.kill();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
  expect({ lost, duplicated, outOfOrder }).toEqual({ lost: 0, duplicated: 0, outOfOrder: 0 });
  expect(tabViews).toEqual([serverView, serverView]);
  expect(written).toBeGreaterThan(steps / 3);
  if (seed === defaultSeed) {
    const kinds = ['network off', 'network on', 'server 5xx', 'server killed', 'server restarted', 'worker stopped', 'browser relaunched', 'worker updated'];
    expect(kinds.filter((kind) => !faults[kind])).toEqual([]);
  }
});

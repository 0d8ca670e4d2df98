// sw-outbox/vite on a fresh Vite app: `vite dev` serves the drop-in and injects its tag, `vite
// build` emits both files, and the built app works under `vite preview`.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, createServer, preview } from 'vite';
import { test, expect, pageFetch } from '../../testing';
import { startServer, type TestServer } from '../../fixtures/server';

const root = 'fixtures/vite-app';
const configFile = join(root, 'vite.config.js');
let api: TestServer;

test.beforeAll(async () => {
  api = await startServer([]);
});
test.afterAll(() => api.close());
test.beforeEach(() => {
  api.writes.length = 0;
});

/** Vite's dev and preview servers on a free port, sending /api/ to the test's API server. */
const serverOptions = () => ({ host: '127.0.0.1', port: 0, proxy: { '/api': api.origin } });

const write = (page: import('@playwright/test').Page, text: string) =>
  pageFetch(page, '/api/notes', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text }) });

test('vite dev: the drop-in is served, its tag carries the settings, and offline writes queue and drain', async ({ sw }) => {
  const server = await createServer({ root, configFile, logLevel: 'warn', server: serverOptions() });
  await server.listen();
  try {
    const page = sw.page;
    await page.goto(server.resolvedUrls!.local[0]!);
    await expect(page.locator('#status')).toHaveText('connected');
    const tag = await page.locator('head script[src="/outbox.js"]').evaluate((script) => ({ ...(script as HTMLScriptElement).dataset }));
    expect(tag).toEqual({ sw: '/outbox-sw.js', routes: '/api/', versioning: 'off', maxAttempts: '5' });
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toMatch(/\/outbox-sw\.js\?config=/);

    await sw.offline();
    expect((await write(page, 'from vite dev')).status).toBe(202);
    expect((await sw.queue()).map((entry) => entry.body)).toEqual(['{"text":"from vite dev"}']);
    await sw.online();
    await sw.drained();
    expect(api.writes.map((entry) => entry.body)).toEqual(['{"text":"from vite dev"}']);
  } finally {
    await server.close();
  }
});

test('vite build emits both files and the tag; the built app works under vite preview', async ({ sw }) => {
  const outDir = mkdtempSync(join(tmpdir(), 'sw-outbox-vite-app-'));
  try {
    await build({ root, configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    expect(readFileSync(join(outDir, 'outbox-sw.js'), 'utf8')).toBe(readFileSync('dist/outbox-sw.js', 'utf8'));
    expect(readFileSync(join(outDir, 'outbox.js'), 'utf8')).toBe(readFileSync('dist/outbox.js', 'utf8'));
    expect(readFileSync(join(outDir, 'index.html'), 'utf8')).toContain(
      '<script src="/outbox.js" data-sw="/outbox-sw.js" data-routes="/api/" data-versioning="off" data-max-attempts="5"></script>',
    );

    const server = await preview({ root, configFile, logLevel: 'warn', build: { outDir }, preview: serverOptions() });
    try {
      const page = sw.page;
      await page.goto(server.resolvedUrls!.local[0]!);
      await expect(page.locator('#status')).toHaveText('connected');
      await sw.offline();
      expect((await write(page, 'from the build')).status).toBe(202);
      await sw.online();
      await sw.drained();
      expect(api.writes.map((entry) => entry.body)).toEqual(['{"text":"from the build"}']);
    } finally {
      await server.close();
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});

// The recipe for vite-plugin-pwa (injectManifest): the app's own worker precaches the app and
// installs sw-outbox. Offline writes queue, the app opens offline from the precache, and an
// update of the worker (a new build) keeps the queued writes and then sends them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { test, expect, pageFetch } from '../../testing';
import { startServer } from '../../fixtures/server';

const root = 'fixtures/pwa-app';

/** Builds the app, as `vite build` does, into `outDir`; `version` shows on its page. */
async function buildApp(outDir: string, version: string): Promise<void> {
  await build({ root, configFile: join(root, 'vite.config.js'), logLevel: 'warn', define: { __APP_VERSION__: JSON.stringify(version) }, build: { outDir, emptyOutDir: true } });
}

test('vite-plugin-pwa worker with installOutbox: writes queue offline, the app opens offline, an update keeps the log', async ({ sw }) => {
  test.setTimeout(60_000);
  const outDir = mkdtempSync(join(tmpdir(), 'sw-outbox-pwa-'));
  const server = await startServer([outDir]);
  try {
    await buildApp(outDir, 'v1');
    const page = sw.page;
    await page.goto(`${server.origin}/`);
    await expect(page.locator('#status')).toHaveText('connected v1');
    const write = (text: string) => pageFetch(page, '/api/notes', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text }) });

    await sw.offline();
    expect((await write('a')).status).toBe(202);
    expect((await write('b')).status).toBe(202);
    await page.reload();
    await expect(page.locator('#status')).toHaveText('connected v1');
    const queued = await sw.queue();
    expect(queued.map((entry) => entry.body).sort()).toEqual(['{"text":"a"}', '{"text":"b"}']);

    // Back online, but the API is down: the writes stay queued through the update.
    server.unreachable = true;
    await sw.online();
    await buildApp(outDir, 'v2');
    await page.evaluate(async () => {
      const changed = new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
      await (await navigator.serviceWorker.getRegistration())!.update();
      await changed;
    });
    expect((await sw.queue()).map((entry) => entry.id).sort()).toEqual(queued.map((entry) => entry.id).sort());

    server.unreachable = false;
    await page.reload();
    await expect(page.locator('#status')).toHaveText('connected v2');
    await sw.drained();
    expect(server.writes.map((entry) => entry.body).sort()).toEqual(['{"text":"a"}', '{"text":"b"}']);
  } finally {
    await server.close();
    rmSync(outDir, { recursive: true, force: true });
  }
});

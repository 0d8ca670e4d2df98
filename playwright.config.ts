import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './e2e/browser';

const port = Number(process.env.E2E_PORT ?? 4455);

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  // The stories share one demo server and its database; run them one after another.
  workers: 1,
  fullyParallel: false,
  reporter: process.env.CI ? [['list'], ['junit', { outputFile: 'test-results/e2e.xml' }]] : 'list',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: 'chromium',
    launchOptions: chromiumLaunchOptions(),
    serviceWorkers: 'allow',
    trace: 'retain-on-failure',
  },
  webServer: {
    command: 'node scripts/e2e-server.mjs',
    url: `http://127.0.0.1:${port}/__test/faults`,
    reuseExistingServer: false,
    timeout: 120_000,
    env: { PORT: String(port), OUTBOX_TEST_HOOKS: '1' },
    stdout: 'ignore',
    stderr: 'pipe',
  },
});

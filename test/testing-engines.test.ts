// sw-outbox/testing outside Chromium: what the engine cannot do fails with a message that says so.
import { describe, expect, it } from 'vitest';
import type { Page } from '@playwright/test';
import { fireSync, stopServiceWorkers } from '../testing/workers';

/** The little of a Playwright page the kit reads before it needs Chromium's DevTools protocol. */
function pageIn(engine: string | null): Page {
  const context = {
    browser: () => (engine === null ? null : { browserType: () => ({ name: () => engine }) }),
    newCDPSession: () => Promise.reject(new Error('CDP session is only available in Chromium\nstack')),
  };
  return { url: () => 'http://app.test/', context: () => context } as unknown as Page;
}

describe('the kit in an engine without the DevTools protocol', () => {
  it('sync() says Background Sync is Chromium-only and what to do instead', async () => {
    await expect(fireSync(pageIn('firefox'))).rejects.toThrow(
      'sw-outbox/testing: sync() works in Chromium only: Background Sync exists in Chromium only (Firefox and WebKit have none: there, test reconnection with online() and let the app replay on its own) (this browser is firefox)',
    );
  });

  it('stop() says no engine but Chromium lets a test stop a worker', async () => {
    await expect(stopServiceWorkers(pageIn('webkit'))).rejects.toThrow(/stop\(\) works in Chromium only: .*\(this browser is webkit\)$/);
  });

  it('a persistent context (no browser object) still fails with the reason Playwright gives', async () => {
    await expect(fireSync(pageIn(null))).rejects.toThrow(/sync\(\) works in Chromium only: .*\(CDP session is only available in Chromium\)$/);
  });

  it('a page not on the app yet is told to open one', async () => {
    const blank = { url: () => 'about:blank', context: () => ({}) } as unknown as Page;
    await expect(stopServiceWorkers(blank)).rejects.toThrow('open a page of the app first');
  });
});

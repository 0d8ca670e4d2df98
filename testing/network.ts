// The network as the page and its service workers see it.
import type { Page } from '@playwright/test';
import { startStoppedWorkers } from './workers';

/** Sets the network of the page's context: its pages and its service workers. */
async function setNetwork(page: Page, offline: boolean): Promise<void> {
  await startStoppedWorkers(page);
  await page.context().setOffline(offline);
}

/**
 * Takes the page's browser context offline: its pages and its service workers, so the worker's
 * own fetches (a replay) fail as well. Applies to every page of the context. A worker `stop()`
 * stopped is started first (see `startStoppedWorkers`), as it would be by the next event.
 */
export function goOffline(page: Page): Promise<void> {
  return setNetwork(page, true);
}

/** Brings the page's browser context back online. A failed Background Sync is not retried at once: see `fireSync`. */
export function goOnline(page: Page): Promise<void> {
  return setNetwork(page, false);
}

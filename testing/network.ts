// The network as the page and its service workers see it.
import type { Page } from '@playwright/test';

/**
 * Takes the page's browser context offline: its pages and its service workers, so the worker's
 * own fetches (a replay) fail as well. Applies to every page of the context.
 */
export async function goOffline(page: Page): Promise<void> {
  await page.context().setOffline(true);
}

/** Brings the page's browser context back online. A failed Background Sync is not retried at once: see `fireSync`. */
export async function goOnline(page: Page): Promise<void> {
  await page.context().setOffline(false);
}

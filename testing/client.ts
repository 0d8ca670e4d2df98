// For apps that load the drop-in (`outbox.js`): ask the worker through the page's `window.outbox`.
import { expect, type Page } from '@playwright/test';
import type { OutboxClient } from '../client';
import { workerUrlWithSettings, type OutboxEventType, type OutboxSettings, type OutboxStatus } from '../protocol';

/** The drop-in's client, as the page holds it. */
type DropInWindow = Window & { outbox: OutboxClient };

/** The worker's status, asked through the page's client. */
export function outboxStatus(page: Page): Promise<OutboxStatus> {
  return page.evaluate(() => (window as unknown as DropInWindow).outbox.refreshStatus());
}

/**
 * Waits until the worker answers the page over Comlink: it does once its log is open. After a
 * worker restart the page's old port is dead until the client makes a new one.
 */
export async function workerAnswers(page: Page, timeout = 10_000): Promise<void> {
  await expect.poll(() => outboxStatus(page).then(() => true, () => false), { timeout }).toBe(true);
}

/**
 * Gives the drop-in's worker (`scriptUrl`, `/outbox-sw.js` by default) new settings: registering
 * it under a new URL is an ordinary worker update, and the page's client follows the new worker.
 */
export async function useSettings(page: Page, settings: Partial<OutboxSettings>, scriptUrl = '/outbox-sw.js'): Promise<void> {
  const url = workerUrlWithSettings(scriptUrl, settings, page.url());
  await page.evaluate(async (url) => {
    const changed = new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    await navigator.serviceWorker.register(url);
    await changed;
  }, url);
  await workerAnswers(page);
}

/** Resolves with the next event of a type the page's client receives. */
export function nextEvent(page: Page, type: OutboxEventType): Promise<Record<string, unknown>> {
  return page.evaluate(
    (type) => new Promise((resolve) => (window as unknown as DropInWindow).outbox.on(type, (event) => resolve(event as unknown as Record<string, unknown>))),
    type,
  );
}

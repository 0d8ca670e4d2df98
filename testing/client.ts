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

/** An event the page is listening for: `received` resolves with it when it comes. */
export interface AwaitedEvent {
  received: Promise<Record<string, unknown>>;
}

/** Where in the page the listeners of `nextEvent` keep what they are waiting for. */
type ListeningWindow = DropInWindow & { swOutboxAwaited?: Record<string, Promise<unknown>> };

let awaited = 0;

/**
 * Listens in the page for the next event of a type its client receives, and resolves once it
 * listens, so the event cannot come before: `const conflict = await nextEvent(page, 'conflict')`,
 * then what causes it, then `await conflict.received`.
 */
export async function nextEvent(page: Page, type: OutboxEventType): Promise<AwaitedEvent> {
  const key = `${type}-${++awaited}`;
  await page.evaluate(
    ({ type, key }) => {
      const listening = window as unknown as ListeningWindow;
      listening.swOutboxAwaited ??= {};
      listening.swOutboxAwaited[key] = new Promise((resolve) => listening.outbox.on(type, resolve));
    },
    { type, key },
  );
  const received = page.evaluate((key) => (window as unknown as ListeningWindow).swOutboxAwaited![key]!, key) as Promise<Record<string, unknown>>;
  return { received };
}

// What the stories ask of a page that loads the drop-in, through any engine's driver: requests
// sent from the page (so its service worker takes them), the outbox's status, waiting.
import type { OutboxClient } from '../client';
import type { OutboxEvent, OutboxStatus } from '../protocol';
import type { EngineBrowser } from './driver';
import { fetchInPage, type PageAnswer, type PageRequestInit } from '../testing/requests';

/** The drop-in's client as the page holds it. */
export type OutboxWindow = Window & { outbox: OutboxClient };

export type { PageAnswer };

/** A request the page sends with `fetch`; a string body only (other kinds are built in the page). */
export type PageRequest = PageRequestInit['init'];

/** Opens a page of the app and waits until its outbox client is connected to the worker. */
export async function openOutboxPage(browser: EngineBrowser, path: string): Promise<void> {
  await browser.goto(path);
  await outboxReady(browser);
}

/** Waits until the page's outbox client is connected (after a load, a reload or a relaunch). */
export function outboxReady(browser: EngineBrowser): Promise<void> {
  return browser.evaluate(() => (window as unknown as OutboxWindow).outbox.ready.then(() => undefined), null);
}

/** Sends `fetch(url, init)` from the page and returns what it answered. */
export function pageFetch(browser: EngineBrowser, url: string, init: PageRequest): Promise<PageAnswer> {
  return browser.evaluate(fetchInPage, { url, init });
}

/** A JSON write sent from the page. */
export function sendJson(browser: EngineBrowser, method: string, url: string, body?: unknown): Promise<PageAnswer> {
  return pageFetch(browser, url, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** The worker's status, asked through the page's client. */
export function outboxStatus(browser: EngineBrowser): Promise<OutboxStatus> {
  return browser.evaluate(() => (window as unknown as OutboxWindow).outbox.refreshStatus(), null);
}

/** The worker's event history, as a page that (re)connects reads it. */
export function outboxHistory(browser: EngineBrowser): Promise<OutboxEvent[]> {
  return browser.evaluate(() => (window as unknown as OutboxWindow).outbox.history(), null);
}

/**
 * Polls `read` until `done` holds, every 250 ms for up to `timeoutMs`; throws with the last value
 * seen. A read that throws (a page between loads) counts as not done yet.
 */
export async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = 'nothing read';
  for (;;) {
    try {
      const value = await read();
      if (done(value)) return value;
      last = value;
    } catch (error) {
      last = error instanceof Error ? error.message : error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Waits until the outbox holds nothing and sends nothing. Engines without Background Sync replay
 * on the worker's own backoff timer and the page's nudges, so this may take a few seconds.
 */
export async function waitForDrain(browser: EngineBrowser, timeoutMs = 45_000): Promise<void> {
  await waitFor('the outbox to drain', () => outboxStatus(browser), (status) => status.pending === 0 && status.inFlight === 0, timeoutMs);
}

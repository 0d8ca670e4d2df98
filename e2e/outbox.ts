// Helpers for testing an app offline with sw-outbox: drive the demo server, stop the worker the
// way a browser does, and wait for the queue to drain.
import { expect, type APIRequestContext, type Browser, type Locator, type Page } from '@playwright/test';
import type { OutboxStatus } from '../sw/protocol';
import type { Todo as ServerTodo, WriteRecord as AuditedWrite } from '../demo/server/db';

export type { ServerTodo };

/** The demo server's test hooks: reset, the audit log of applied writes, injected faults. */
export class DemoServer {
  constructor(private readonly request: APIRequestContext) {}

  async reset(): Promise<void> {
    expect((await this.request.post('/__test/reset')).status()).toBe(204);
  }

  async writes(): Promise<AuditedWrite[]> {
    return (await this.request.get('/__test/writes')).json() as Promise<AuditedWrite[]>;
  }

  /** Sets the faults mutating requests meet; with no argument, reads what is left of them. */
  async faults(faults?: {
    delayMs?: number;
    fail?: { count: number; status: number; retryAfter?: string; body?: string; contentType?: string };
    requireAuth?: string;
  }): Promise<unknown> {
    if (faults === undefined) return (await this.request.get('/__test/faults')).json();
    expect((await this.request.post('/__test/faults', { data: faults })).status()).toBe(204);
    return faults;
  }

  async todos(): Promise<ServerTodo[]> {
    return (await this.request.get('/api/todos')).json() as Promise<ServerTodo[]>;
  }

  /** Writes straight to the server, past any worker: another user. */
  async create(title: string): Promise<ServerTodo> {
    const response = await this.request.post('/api/todos', { data: { title } });
    expect(response.status()).toBe(201);
    return response.json() as Promise<ServerTodo>;
  }
}

export async function openBoard(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
}

/** A card of the demo board by its exact title. */
export function card(page: Page, title: string): Locator {
  return page.getByTestId('item').filter({ has: page.getByTestId('title').getByText(title, { exact: true }) });
}

/** Renames a card of the demo board the way a user does: click its title, type, Enter. */
export async function renameCard(page: Page, from: string, to: string): Promise<void> {
  await card(page, from).getByTestId('title').click();
  await page.getByTestId('edit-title').fill(to);
  await page.getByTestId('edit-title').press('Enter');
}

/** Someone else, in a browser context of their own (with its own worker), renames a card and sees it saved. */
export async function renameElsewhere(browser: Browser, from: string, to: string): Promise<void> {
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await openBoard(otherPage);
  await renameCard(otherPage, from, to);
  await expect(card(otherPage, to)).toHaveAttribute('data-state', 'synced');
  await other.close();
}

/** Stops every service worker of the browser, as Chromium does to an idle worker. */
export async function stopServiceWorkers(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await cdp.detach();
}

/** The worker's status, asked through the page's client. */
export function outboxStatus(page: Page): Promise<OutboxStatus> {
  return page.evaluate(() => window.outbox.refreshStatus());
}

/** Waits until the worker has nothing left to send. */
export async function waitForDrain(page: Page, timeout = 30_000): Promise<void> {
  await expect.poll(async () => (await outboxStatus(page)).pending, { timeout }).toBe(0);
}

/** Sends a request from the page (through its service worker) and returns what the page saw. */
export function pageFetch(page: Page, url: string, init: { method: string; headers?: Record<string, string>; body?: string }) {
  return page.evaluate(
    async ({ url, init }) => {
      const started = performance.now();
      const response = await fetch(url, init);
      const text = await response.text();
      return { status: response.status, headers: Object.fromEntries(response.headers), text, ms: performance.now() - started };
    },
    { url, init },
  );
}

/** Opens the plain drop-in page and waits until `window.outbox` is connected. */
export async function openDropIn(page: Page): Promise<void> {
  await page.goto('/dropin.html');
  await page.evaluate(() => window.outbox.ready.then(() => undefined));
}

export interface XhrAnswer {
  status: number;
  headers: Record<string, string>;
  json: unknown;
}

/** Sends an XMLHttpRequest from the page, as an app that predates fetch would. */
export function pageXhr(page: Page, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<XhrAnswer> {
  return page.evaluate(
    ({ method, url, body, headers }) =>
      new Promise<XhrAnswer>((resolve, reject) => {
        const request = new XMLHttpRequest();
        request.open(method, url);
        if (body !== undefined) request.setRequestHeader('Content-Type', 'application/json');
        for (const [name, value] of Object.entries(headers)) request.setRequestHeader(name, value);
        request.onload = () => {
          const lines = request.getAllResponseHeaders().trim().split(/[\r\n]+/).filter(Boolean);
          const parsed = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
          let json: unknown = null;
          try {
            json = request.responseText ? JSON.parse(request.responseText) : null;
          } catch {
            json = request.responseText;
          }
          resolve({ status: request.status, headers: parsed, json });
        };
        request.onerror = () => reject(new Error(`XHR ${method} ${url} failed`));
        request.send(body === undefined ? null : JSON.stringify(body));
      }),
    { method, url, body, headers },
  );
}

/**
 * Gives the drop-in page's worker new settings: registering it again under a new URL is an
 * ordinary worker update, and the page's client follows the new worker by itself.
 */
export async function useSettings(page: Page, settings: Record<string, unknown>): Promise<void> {
  await page.evaluate(async (settings) => {
    const changed = new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    await navigator.serviceWorker.register(`/outbox-sw.js?config=${encodeURIComponent(JSON.stringify(settings))}`);
    await changed;
  }, settings);
  await workerAnswers(page);
}

/** Waits until the worker answers the page over Comlink: it does once its log is open. */
export async function workerAnswers(page: Page): Promise<void> {
  await expect.poll(() => outboxStatus(page).then(() => true, () => false), { timeout: 10_000 }).toBe(true);
}

/** Resolves with the next event of a type the page's client receives. */
export function nextEvent(page: Page, type: string): Promise<Record<string, unknown>> {
  return page.evaluate((type) => new Promise((resolve) => window.outbox.on(type as 'queued', (event) => resolve(event as unknown as Record<string, unknown>))), type);
}

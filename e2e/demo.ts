// The demo's side of the e2e suite: its server's test hooks and its board. What any app's tests
// need (offline, stopping the worker, the queue) is the kit's, sw-outbox/testing.
import { expect, type APIRequestContext, type Browser, type Locator, type Page } from '@playwright/test';
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

  /** Sets the faults mutating requests meet (and the Cache-Control reads get); with no argument, reads what is left of them. */
  async faults(faults?: {
    delayMs?: number;
    fail?: { count: number; status: number; retryAfter?: string; body?: string; contentType?: string };
    cutAfterApply?: number;
    requireAuth?: string;
    readCacheControl?: string;
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

  /** Changes an item straight on the server, past any worker: another user's edit. */
  async change(id: number, fields: Partial<ServerTodo>): Promise<ServerTodo> {
    const response = await this.request.patch(`/api/todos/${id}`, { data: fields });
    expect(response.status()).toBe(200);
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

/** Opens the plain drop-in page and waits until `window.outbox` is connected. */
export async function openDropIn(page: Page): Promise<void> {
  await page.goto('/dropin.html');
  await page.evaluate(() => window.outbox.ready.then(() => undefined));
}

/** Resolves once the worker has kept these pages and assets (what a first visit hands it). */
export async function pagesKept(page: Page, urls: string[]): Promise<void> {
  await expect.poll(() => page.evaluate((urls) => Promise.all(urls.map(async (url) => !!(await caches.match(url)))), urls)).toEqual(urls.map(() => true));
}

// Requests sent from inside a page, so they go through its service worker as the app's own do
// (Playwright's `request` fixture goes around the worker).
import type { Page } from '@playwright/test';

/** What the page saw of a response. */
export interface PageAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** Time from the call to the body read, in the page. */
  ms: number;
}

/** What `fetchInPage` is asked to send. */
export interface PageRequestInit {
  url: string;
  init: { method: string; headers?: Record<string, string>; body?: string };
}

/**
 * Runs inside a page (pass it to an `evaluate`, any driver's): sends `fetch(url, init)` there and
 * returns what the page saw. Self-contained, so it can be sent to the page as it is.
 */
export const fetchInPage = async ({ url, init }: PageRequestInit): Promise<PageAnswer> => {
  const started = performance.now();
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: Object.fromEntries(response.headers), text, ms: performance.now() - started };
};

/** Sends `fetch(url, init)` from the page and returns what it answered. */
export function pageFetch(page: Page, url: string, init: PageRequestInit['init']): Promise<PageAnswer> {
  return page.evaluate(fetchInPage, { url, init });
}

export interface XhrAnswer {
  status: number;
  headers: Record<string, string>;
  /** The body parsed as JSON, or its text where it is not JSON; null when empty. */
  json: unknown;
}

/** Sends an XMLHttpRequest from the page (a JSON body when one is given), as an app that predates fetch would. */
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

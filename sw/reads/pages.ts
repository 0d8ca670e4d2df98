/// <reference lib="webworker" />
import type { OutboxConfig } from '../../protocol';
import { within } from './within';

/**
 * Pages and assets kept so an app opens offline (docs/protocol.md, Offline reads): same-origin
 * GETs under `pages` (the drop-in keeps `/`, everything) and the `shell` list, network first, the
 * last good copy answering when the network fails or is slower than `readTimeoutMs`.
 */
const pagesCache = 'sw-outbox-pages';
/** Where earlier versions kept the shell; emptied once this version is active. */
const oldShellCache = 'sw-outbox-shell';

/** Which same-origin GETs are kept as pages and assets. */
export class PageRules {
  private readonly shell: Set<string>;

  /** `onRoute` tells a route's URL: reads on routes are kept as reads, never as pages. */
  constructor(
    private readonly config: Pick<OutboxConfig, 'pages' | 'shell'>,
    readonly origin: string,
    private readonly onRoute: (url: URL) => boolean,
  ) {
    this.shell = new Set(config.shell.map((url) => new URL(url, origin)).filter((url) => url.origin === origin).map((url) => url.pathname));
  }

  /** A same-origin GET of a page or asset to keep: under `pages` or in the shell, never on a route. */
  keeps(url: URL): boolean {
    if (url.origin !== this.origin || this.onRoute(url)) return false;
    return this.shell.has(url.pathname) || this.config.pages.some((prefix) => url.pathname.startsWith(prefix));
  }

  /** The shell's paths, fetched and kept at install. */
  get shellPaths(): string[] {
    return [...this.shell];
  }
}

/** Keeps the shell up front, at install: the app opens offline even if its first visit loaded nothing else. */
export async function precacheShell(paths: string[]): Promise<void> {
  if (paths.length === 0) return;
  await (await caches.open(pagesCache)).addAll(paths);
}

/** Forgets the cache of earlier versions (its pages are kept here again as they are visited). */
export async function forgetOldCaches(): Promise<void> {
  await caches.delete(oldShellCache);
}

/** A page or asset, network first; the kept copy when the network fails or is late; the network's answer kept. */
export async function pageResponse(request: Request, timeoutMs: number, afterAnswer: (work: Promise<unknown>) => void): Promise<Response> {
  const cache = await caches.open(pagesCache);
  const network = fetch(request).then((response) => {
    afterAnswer(keepPage(cache, request, response.clone()));
    return response;
  });
  const answer = await within(network, timeoutMs);
  if (answer instanceof Response) return answer;
  // A navigation with another query string is the same page to open offline.
  const kept = await cache.match(request, { ignoreSearch: request.mode === 'navigate' });
  return kept ?? network;
}

/**
 * What the page loaded before this worker controlled it (it says so with `outbox:keep`): each page
 * or asset not kept yet is fetched and kept now, so the very first visit opens offline too. Reads
 * on routes are not fetched again: the page's URLs say nothing of its methods, and a GET of a URL
 * the page posted to may do something; they are kept from the app's next read.
 */
export async function keepLoadedPages(urls: string[], rules: PageRules): Promise<void> {
  const cache = await caches.open(pagesCache);
  for (const href of new Set(urls)) {
    const url = new URL(href, rules.origin);
    if (!rules.keeps(url) || (await cache.match(url.href))) continue;
    const request = new Request(url.href);
    await fetch(request).then((response) => keepPage(cache, request, response), () => undefined);
  }
}

/** Keeps a good same-origin answer (its body is read: pass a clone of what the page gets). */
async function keepPage(cache: Cache, request: Request, response: Response): Promise<void> {
  if (response.ok && response.type === 'basic') await cache.put(request, response).catch(() => undefined);
}

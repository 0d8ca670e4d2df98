import type { OutboxConfig } from '../../protocol';
import { keepLoadedPages, type PageRules } from './pages';
import { keepAndLearn, type ReadParts } from './route-reads';

/**
 * What a page loaded before this worker controlled it (its first visit), as it reports with
 * `outbox:keep`: GETs on routes are read again and kept, pages and assets are kept, so the app
 * opens and reads offline after a single visit. Only same-origin URLs are taken (listed origins'
 * reads are kept as they are read), and only what the worker would have kept had it seen them.
 */
export async function keepWhatThePageLoaded(
  urls: string[],
  origin: string,
  onRoute: (url: URL) => boolean,
  pages: PageRules,
  reads: ReadParts & { config: OutboxConfig },
): Promise<void> {
  const sameOrigin = [...new Set(urls)].map((url) => new URL(url, origin)).filter((url) => url.origin === origin);
  for (const url of sameOrigin.filter(onRoute)) {
    const request = new Request(url.href);
    const response = await fetch(request).catch(() => null);
    if (response) await keepAndLearn(request, response, reads);
  }
  await keepLoadedPages(sameOrigin, pages);
}

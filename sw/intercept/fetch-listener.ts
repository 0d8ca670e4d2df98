/// <reference lib="webworker" />
import type { OutboxConfig } from '../../protocol';
import { tempIdsIn } from '../log/resource';
import type { PageRules } from '../reads/pages';
import { pageResponse } from '../reads/pages';
import { answerRead, type ReadParts } from '../reads/route-reads';
import { withRealIds } from './real-ids';
import { isMutating, routeFor } from './routes';
import { handleWrite, passThroughOrRefuse, type WriteParts } from './write-handler';

declare const self: ServiceWorkerGlobalScope;

/** Why the log cannot be used now: the request then goes on as it is (docs/protocol.md, What is not queued). */
export type Unavailable = 'storage-blocked' | 'storage-failed';

export interface FetchListenerParts {
  config: OutboxConfig;
  /** The worker's parts once its log is open, or why it cannot be used now. */
  outbox: () => Promise<(Omit<WriteParts, 'origin'> & { reads: ReadParts }) | Unavailable>;
  /** Answer GETs on routes (kept for offline, overlaid, learned from); off when the app's worker answers them and calls `learn`. */
  observeReads: boolean;
  /** Which other same-origin GETs are kept as pages and assets. */
  pages: PageRules;
}

/**
 * The first stop of a request's journey: which of the worker's paths it takes. Writes on routes
 * go to the write handler; GETs on routes are answered with the user's pending writes laid over
 * them, and kept for offline use; pages and assets are kept network first; everything else is
 * left to the browser (or the app's worker).
 */
export function listenForFetches(parts: FetchListenerParts): void {
  const { config } = parts;
  const origin = self.location.origin;
  self.addEventListener('fetch', (event) => {
    const { request } = event;
    const url = new URL(request.url);
    const afterAnswer = (work: Promise<unknown>): void => event.waitUntil(work.catch(() => undefined));
    if (isMutating(request.method) && routeFor(url, config, origin)) {
      const handled = parts.outbox().then(async (outbox) =>
        typeof outbox === 'string' ? { response: await passThroughOrRefuse(request, outbox), settled: Promise.resolve() } : handleWrite(request, { ...outbox, origin }),
      );
      event.respondWith(handled.then((write) => write.response));
      afterAnswer(handled.then((write) => write.settled));
    } else if (request.method === 'GET' && routeFor(url, config, origin)) {
      // An app whose worker answers its GETs itself still needs a temporary id's real one here.
      if (!parts.observeReads && tempIdsIn(url).length === 0) return;
      event.respondWith(readOnRoute(request, parts, afterAnswer));
    } else if (request.method === 'GET' && parts.pages.keeps(url)) {
      event.respondWith(pageResponse(request, config.readTimeoutMs, afterAnswer));
    }
  });
}

/** A GET on a route, addressed to real ids; with `observeReads` off, only that. */
async function readOnRoute(request: Request, parts: FetchListenerParts, afterAnswer: (work: Promise<unknown>) => void): Promise<Response> {
  const outbox = await parts.outbox();
  if (typeof outbox === 'string') return fetch(request);
  const real = await withRealIds(request, outbox.log.learned);
  if (!parts.observeReads) return fetch(real);
  return answerRead(real, outbox.reads, afterAnswer);
}

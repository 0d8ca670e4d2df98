/// <reference lib="webworker" />
import type { OutboxConfig } from '../../protocol';
import { learnFromRead } from './learn';
import { withRealIds } from './real-ids';
import { tempIdsIn } from '../log/resource';
import { isMutating, routeFor } from './routes';
import { shellResponse } from './shell';
import { handleWrite, passThroughOrRefuse, type WriteParts } from './write-handler';

declare const self: ServiceWorkerGlobalScope;

/** Why the log cannot be used now: the request then goes on as it is (docs/protocol.md, What is not queued). */
export type Unavailable = 'storage-blocked' | 'storage-failed';

export interface FetchListenerParts {
  config: OutboxConfig;
  /** The worker's parts once its log is open, or why it cannot be used now. */
  outbox: () => Promise<Omit<WriteParts, 'origin'> | Unavailable>;
  /** Answer GETs on routes to learn versions (off when the app's worker answers them and calls `learn`). */
  observeReads: boolean;
  /** Same-origin paths of the app shell the worker keeps. */
  shell: ReadonlySet<string>;
}

/**
 * The first stop of a request's journey: which of the worker's paths it takes. Writes on routes
 * go to the write handler; GETs on routes are observed (to learn versions) and sent to real ids;
 * the shell is served network-first; everything else is left to the browser (or the app's worker).
 */
export function listenForFetches(parts: FetchListenerParts): void {
  const { config, shell } = parts;
  const origin = self.location.origin;
  self.addEventListener('fetch', (event) => {
    const { request } = event;
    const url = new URL(request.url);
    if (request.method === 'GET' && url.origin === origin && shell.has(url.pathname)) {
      event.respondWith(shellResponse(request));
    } else if (isMutating(request.method) && routeFor(url, config, origin)) {
      const handled = parts.outbox().then(async (outbox) =>
        typeof outbox === 'string' ? { response: await passThroughOrRefuse(request, outbox), settled: Promise.resolve() } : handleWrite(request, { ...outbox, origin }),
      );
      event.respondWith(handled.then((write) => write.response));
      event.waitUntil(handled.then((write) => write.settled).catch(() => undefined));
    } else if (request.method === 'GET' && routeFor(url, config, origin)) {
      // An app whose worker answers its GETs itself still needs a temporary id's real one here.
      if (!parts.observeReads && tempIdsIn(url).length === 0) return;
      event.respondWith(readOnRoute(request, parts, (work) => event.waitUntil(work)));
    }
  });
}

/** A GET on a route: sent to real ids, and its answer learned from (on a clone) after the page has it. */
async function readOnRoute(request: Request, parts: FetchListenerParts, afterAnswer: (work: Promise<void>) => void): Promise<Response> {
  const outbox = await parts.outbox();
  if (typeof outbox === 'string') return fetch(request);
  const real = await withRealIds(request, outbox.log.learned);
  const response = await fetch(real);
  if (parts.observeReads) afterAnswer(learnFromRead(outbox.log.learned, parts.config, real, response.clone()).catch(() => undefined));
  return response;
}

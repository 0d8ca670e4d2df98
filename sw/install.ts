/// <reference lib="webworker" />
import { Queue } from 'workbox-background-sync';
import { resolveConfig, type OutboxConfig, type OutboxSettings } from '../protocol';
import { openLog } from './log';
import { InFlight } from './send/in-flight';
import { dayMs } from './lanes/scheduler';
import { assembleOutbox, type Outbox } from './outbox';
import { listenForFetches, type Unavailable } from './intercept/fetch-listener';
import { isMutating, routeFor } from './intercept/routes';
import { learnFromRead } from './reads/learn';
import { PageRules, forgetOldCaches, keepLoadedPages, precacheShell } from './reads/pages';
import { listenForPageMessages } from './pages/message-listener';
import { announceActivation, sendWhileHoldingTheLock, takeControlAtOnce } from './pages/lifecycle';

declare const self: ServiceWorkerGlobalScope;

export interface InstallOptions {
  /** Skip waiting and claim open pages at once (the drop-in worker does; an app's own worker decides itself). */
  takeControl?: boolean;
  /**
   * Answer GETs on routes: kept for offline use, the pending writes laid over them, versions
   * learned (docs/protocol.md, Offline reads). Off when the app's worker answers them itself and
   * calls `learn`; reads then get none of that.
   */
  observeReads?: boolean;
  /** Name of the IndexedDB database. */
  databaseName?: string;
}

/** What `installOutbox` gives an app's own worker. */
export interface OutboxWorker {
  config: OutboxConfig;
  /** Whether the outbox takes this request (a write on a route). */
  takes(request: Request): boolean;
  /** Learns the version and representation a response on a route carries. Never changes it. */
  learn(request: Request, response: Response): Promise<void>;
  /** Starts a drain now. */
  replay(): Promise<void>;
}

/** Background Sync tag of the outbox: `workbox-background-sync:sw-outbox`. */
export const syncQueueName = 'sw-outbox';

/**
 * Installs the outbox in the current service worker: call it once, at the top level of the
 * worker script and before any other fetch handler, so it sees writes first. This only wires:
 * docs/architecture.md follows a write through the parts it connects.
 */
export function installOutbox(settings: Partial<OutboxSettings> = {}, options: InstallOptions = {}): OutboxWorker {
  const config = resolveConfig(settings);
  let reportBlocked: () => void = () => undefined;
  // Resolves if an old tab keeps the log's upgrade waiting: requests must not wait with it.
  const blocked = new Promise<void>((resolve) => (reportBlocked = resolve));
  // Only used for its Background Sync registration and event: the log is ours.
  const syncQueue = new Queue(syncQueueName, {
    onSync: async () => {
      const { scheduler, network } = await ready;
      await scheduler.kick(true);
      if (network.down) throw new Error('sw-outbox: still offline; the browser will fire sync again');
    },
  });
  // A new version opens (and so upgrades) the log only once it takes over from the old one.
  const ready = whenActive().then(() => start(config, options.databaseName, () => reportBlocked(), () => void syncQueue.registerSync()));
  // Once the log is open, requests take it as it is: a race per request against `blocked`, which
  // may never settle, would leave a reaction on it for every request the worker ever served.
  let opened: Outbox | null = null;
  void ready.then((outbox) => (opened = outbox), () => undefined);
  const stillOpening = Promise.race([ready, blocked.then(() => 'storage-blocked' as const)]).catch(() => 'storage-failed' as const);
  const outboxOrUnavailable = (): Promise<Outbox | Unavailable> => (opened ? Promise.resolve(opened) : stillOpening);

  const origin = self.location.origin;
  const onRoute = (url: URL): boolean => routeFor(url, config, origin) !== null;
  const pages = new PageRules(config, origin, onRoute);
  self.addEventListener('install', (event) => event.waitUntil(precacheShell(pages.shellPaths)));
  self.addEventListener('activate', (event) => event.waitUntil(forgetOldCaches()));
  listenForFetches({ config, outbox: outboxOrUnavailable, observeReads: options.observeReads !== false, pages });
  listenForPageMessages(ready, (urls) => keepLoadedPages(urls, pages));
  if (options.takeControl) takeControlAtOnce();
  announceActivation(ready, blocked);
  void ready.then(sendWhileHoldingTheLock);

  return {
    config,
    takes: (request) => isMutating(request.method) && routeFor(new URL(request.url), config, self.location.origin) !== null,
    learn: async (request, response) => learnFromRead((await ready).log.learned, config, request, response),
    replay: () => ready.then(({ scheduler }) => scheduler.kick(true)),
  };
}

/**
 * Resolves once this worker is active (or activating). Until then an older version may still be
 * using the log: opening it would upgrade its schema under that worker, which then could not
 * store writes. A worker the browser restarts later is active already.
 */
function whenActive(): Promise<void> {
  const state = (self as unknown as { serviceWorker?: ServiceWorker }).serviceWorker?.state;
  if (state === undefined || state === 'activating' || state === 'activated') return Promise.resolve();
  return new Promise((resolve) => self.addEventListener('activate', () => resolve(), { once: true }));
}

/** Opens the log and assembles the worker's parts over it. */
async function start(config: OutboxConfig, databaseName: string | undefined, onBlocked: () => void, onNetworkDown: () => void): Promise<Outbox> {
  const inFlight = new InFlight();
  // The log reports a deletion only after it is open, so the parts exist by then.
  let outbox: Outbox | null = null;
  const log = await openLog(
    databaseName,
    {
      onBlocked,
      onDeleted: (lost) => {
        outbox?.events.dropped(lost, 'deleted');
        outbox?.status.changed();
      },
    },
    (id) => inFlight.isSending(id),
    config.maxKeptBytes,
  );
  outbox = await assembleOutbox(log, inFlight, config, {
    fetch: (input, init) => fetch(input, init),
    onNetworkDown,
    windows: {
      openIds: async () => (await self.clients.matchAll({ type: 'window' })).map((client) => client.id),
      // A broadcast status with this worker's new instance makes every tab reconnect at once.
      requestConnections: () => void outbox?.status.announce(),
    },
  });
  void forgetStaleLearning(outbox).catch(() => undefined);
  return outbox;
}

/** At a worker start, once a day at most: versions and id mappings older than `maxAgeDays` go. */
async function forgetStaleLearning({ log, config }: Outbox): Promise<void> {
  const now = Date.now();
  if (now - ((await log.meta.get('forgottenAt')) ?? 0) < dayMs) return;
  await log.learned.forgetLearnedBefore(now - config.maxAgeDays * dayMs);
  await log.meta.set('forgottenAt', now);
}

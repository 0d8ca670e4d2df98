/// <reference lib="webworker" />
import { Queue } from 'workbox-background-sync';
import { expose } from 'comlink';
import { resolveConfig, type OutboxConfig, type OutboxSettings } from './config';
import { ReplayEngine, dayMs } from './engine';
import { EventHub } from './events';
import { OutboxLog } from './log';
import { createWorkerApi } from './api';
import { bufferedBody, captureWrite, rebuilt } from './capture';
import { isMutating, routeFor } from './routes';
import { queuedResponse, refusedResponse } from './responses';
import { readBody, versionOf } from './send';
import { remapUrl, resourceKey, tempIdsIn } from './resource';
import { senderLockName, workerChannelName, type CredentialsAnswer, type CredentialsRequest } from './protocol';
import { readPageMessage } from './messages';
import type { StoredEntry } from './entry';
import { precacheShell, shellPaths, shellResponse } from './shell';
import { logVersion } from './migrations';

declare const self: ServiceWorkerGlobalScope;

export interface InstallOptions {
  /** Skip waiting and claim open pages at once (the drop-in worker does; an app's own worker decides itself). */
  takeControl?: boolean;
  /** Answer GETs on routes to learn versions. Off when the app's worker answers them itself and calls `learn`. */
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
 * worker script and before any other fetch handler, so it sees writes first.
 */
export function installOutbox(settings: Partial<OutboxSettings> = {}, options: InstallOptions = {}): OutboxWorker {
  const config = resolveConfig(settings);
  let reportBlocked: () => void = () => undefined;
  // Resolves if an old tab keeps the log's upgrade waiting: requests must not wait with it.
  const blocked = new Promise<void>((resolve) => (reportBlocked = resolve));
  const ready = start(config, options.databaseName, () => reportBlocked());
  type Parts = Awaited<typeof ready>;
  /** The worker's parts, or why the log cannot be used now (the request then goes as it is). */
  const partsOrReason = (): Promise<Parts | 'storage-blocked' | 'storage-failed'> =>
    Promise.race([ready, blocked.then(() => 'storage-blocked' as const)]).catch(() => 'storage-failed' as const);
  // Only used for its Background Sync registration and event: the log is ours.
  const syncQueue = new Queue(syncQueueName, {
    onSync: async () => {
      const { engine } = await ready;
      await engine.kick(true);
      if (engine.networkDown) throw new Error('sw-outbox: still offline; the browser will fire sync again');
    },
  });
  void ready.then(({ engine }) => {
    engine.onNetworkDown = () => void syncQueue.registerSync();
  });

  const onRoute = (url: URL): boolean => routeFor(url, config, self.location.origin) !== null;
  const takesWrite = (method: string, url: URL): boolean => isMutating(method) && onRoute(url);
  const takes = (request: Request): boolean => takesWrite(request.method, new URL(request.url));

  const learn = async (request: Request, response: Response): Promise<void> => {
    if (!response.ok || request.method !== 'GET') return;
    const { log } = await ready;
    const body = await readBody(response);
    const resource = resourceKey(new URL(request.url));
    if (Array.isArray(body)) {
      // A collection: each item with an id is the base its later writes merge against.
      await log.learnCollection(resource, body, config.idField, config.versioning);
      return;
    }
    await log.learnVersion({ resource, version: versionOf(response, body, config), representation: body, at: Date.now() });
  };

  const shell = shellPaths(config.shell, self.location.origin);
  self.addEventListener('install', (event) => event.waitUntil(precacheShell(shell)));

  self.addEventListener('fetch', (event) => {
    const { request } = event;
    const url = new URL(request.url);
    if (request.method === 'GET' && url.origin === self.location.origin && shell.has(url.pathname)) {
      event.respondWith(shellResponse(request));
    } else if (takesWrite(request.method, url)) {
      event.respondWith(
        partsOrReason().then((parts) =>
          typeof parts === 'string' ? passThroughOrRefuse(request, parts) : handleWrite(request, parts, (work) => event.waitUntil(work)),
        ),
      );
    } else if (request.method === 'GET' && onRoute(url)) {
      const addressesTempId = tempIdsIn(url).length > 0;
      if (options.observeReads === false && !addressesTempId) return;
      event.respondWith(
        (async () => {
          const parts = await partsOrReason();
          if (typeof parts === 'string') return fetch(request);
          const real = await withRealIds(request, parts.log);
          const response = await fetch(real);
          if (options.observeReads !== false) event.waitUntil(learn(real, response.clone()).catch(() => undefined));
          return response;
        })(),
      );
    }
  });

  self.addEventListener('message', (event) => {
    if (event.origin !== self.location.origin) {
      console.warn('sw-outbox: ignored a message from another origin', event.origin);
      return;
    }
    const message = readPageMessage(event.data, event.ports.length);
    if (message === 'foreign') return;
    if (message === 'malformed') {
      console.warn('sw-outbox: ignored a message of the wrong shape', event.data);
    } else if (message.type === 'outbox:connect') {
      const port = event.ports[0]!;
      event.waitUntil(ready.then(({ api }) => expose(api, port)));
    } else if (message.type === 'outbox:nudge') {
      event.waitUntil(ready.then(({ engine }) => engine.kick(message.force)));
    } else {
      event.waitUntil(ready.then(({ engine }) => engine.releaseHeld()));
    }
  });

  if (options.takeControl) {
    self.addEventListener('install', () => void self.skipWaiting());
    self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
  }
  self.addEventListener('activate', (event) => {
    const announced = ready.then(({ engine, events }) => {
      new BroadcastChannel(workerChannelName).postMessage({ type: 'retire', instance: engine.instance });
      events.emit({ type: 'activated', instance: engine.instance, logVersion });
    });
    // Fetches wait for activation: while an old tab blocks the log's upgrade, activation must not
    // wait for the log too, or every page of the origin hangs. The announcement follows later.
    event.waitUntil(Promise.race([announced, blocked]));
  });

  // One sender at a time: this worker sends only while it holds the lock, which an older version
  // gives up when a newer one activates (and the browser frees when it stops a worker). Worker
  // start is a replay trigger: whatever was left when the browser stopped it goes out now.
  void ready.then(async ({ engine }) => {
    if (!self.navigator.locks) return void (await engine.kick(true));
    engine.canSend = false;
    const retired = new Promise<void>((resolve) => {
      new BroadcastChannel(workerChannelName).onmessage = (message: MessageEvent<{ type: string; instance: string }>) => {
        if (message.data.type === 'retire' && message.data.instance !== engine.instance) resolve();
      };
    });
    await self.navigator.locks.request(senderLockName, async () => {
      engine.canSend = true;
      void engine.kick(true);
      await retired;
      await engine.retire();
    });
  });

  async function handleWrite(original: Request, parts: Parts, keepAlive: (work: Promise<unknown>) => void): Promise<Response> {
    const { log, engine, events } = parts;
    const request = await withRealIds(original, log);
    const route = routeFor(new URL(request.url), config, self.location.origin);
    if (!route) return fetch(request);
    const captured = await captureWrite(request, config, route, Date.now()).catch(() => null);
    if (!captured) return refusedResponse('unreadable-body', 'sw-outbox could not read this request');
    if (!captured.ok) return passThroughOrRefuse(captured.request, captured.reason);
    const appended = await log.append({ ...captured.draft, partition: engine.partition }).catch((error: unknown) =>
      // The origin's storage is full (or the browser gives it none): not the same fix as a broken log.
      error instanceof DOMException && error.name === 'QuotaExceededError' ? ('storage-full' as const) : ('storage-failed' as const),
    );
    if (typeof appended === 'string') return passThroughOrRefuse(rebuilt(request, captured.draft.body), appended);
    const { entry } = appended;
    events.emit({ type: 'queued', id: entry.id, method: entry.method, url: entry.url, resource: entry.resource, tempId: entry.tempId });
    if (appended.outcome === 'cancelled') {
      for (const gone of [...appended.removed.flatMap((removed) => [removed.id, ...removed.coalesced]), entry.id]) {
        events.emit({ type: 'resolved', id: gone, resource: entry.resource, how: 'cancelled' });
      }
    }
    engine.statusChanged();
    if (appended.isHead && !engine.paused && engine.tryClaim(entry.resource)) {
      // tryClaim is false too while this worker does not hold the sender lock: the write waits.
      const answer = await engine.sendLive(entry, captured.liveHeaders, keepAlive);
      if (answer) return answer;
      const stored = await log.get(entry.id);
      return queuedResponse(stored ?? entry, config, stored?.state === 'held' || stored?.state === 'conflict' ? stored.state : 'queued');
    }
    void engine.kick();
    return queuedResponse(entry, config, appended.outcome === 'cancelled' ? 'cancelled' : 'queued');
  }

  return { config, takes, learn, replay: () => ready.then(({ engine }) => engine.kick(true)) };
}

async function start(config: OutboxConfig, databaseName: string | undefined, onBlocked: () => void) {
  const log = await OutboxLog.open(databaseName, onBlocked);
  const events = await EventHub.create(log);
  const engine = new ReplayEngine(log, events, config);
  engine.credentials = askPagesForCredentials;
  engine.paused = (await log.getMeta<boolean>('paused')) ?? false;
  engine.partition = (await log.getMeta<string>('partition')) ?? '';
  const api = createWorkerApi(log, engine, events);
  void forgetStaleLearning(log, config).catch(() => undefined);
  log.onDeleted = (lost) => {
    events.dropped(lost, 'deleted');
    engine.statusChanged();
  };
  return { log, events, engine, api };
}

/** At a worker start, once a day at most: versions and id mappings older than `maxAgeDays` go. */
async function forgetStaleLearning(log: OutboxLog, config: OutboxConfig): Promise<void> {
  const now = Date.now();
  if (now - ((await log.getMeta<number>('forgottenAt')) ?? 0) < dayMs) return;
  await log.forgetLearnedBefore(now - config.maxAgeDays * dayMs);
  await log.setMeta('forgottenAt', now);
}

/** How long open pages have to answer a request for credentials. */
const credentialsTimeoutMs = 3_000;

/**
 * Fresh credentials for a replay come from the app, through an open page of this origin (the log
 * never holds them). The first page that answers with headers wins; with none open, or none that
 * can, the write waits.
 */
async function askPagesForCredentials(entry: StoredEntry): Promise<Record<string, string> | null> {
  const pages = await self.clients.matchAll({ type: 'window' });
  if (pages.length === 0) return null;
  return new Promise((resolve) => {
    let unanswered = pages.length;
    const timer = setTimeout(() => resolve(null), credentialsTimeoutMs);
    const settle = (headers: Record<string, string> | null) => {
      clearTimeout(timer);
      resolve(headers);
    };
    for (const page of pages) {
      const channel = new MessageChannel();
      channel.port1.onmessage = (message: MessageEvent<CredentialsAnswer>) => {
        const headers = message.data?.headers;
        if (headers && typeof headers === 'object' && Object.values(headers).every((value) => typeof value === 'string')) settle(headers);
        else if (--unanswered === 0) settle(null);
      };
      page.postMessage({ type: 'outbox:credentials', url: entry.url, method: entry.method } satisfies CredentialsRequest, [channel.port2]);
    }
  });
}

/** A page request to a temporary id that has since been confirmed goes to the real one. */
async function withRealIds(request: Request, log: OutboxLog): Promise<Request> {
  let url = request.url;
  for (const tempId of tempIdsIn(new URL(url))) {
    const mapping = await log.mappingFor(tempId);
    if (mapping) url = remapUrl(url, tempId, mapping.realId);
  }
  if (url === request.url) return request;
  // Rebuilt from its bytes: a request passed as another's init turns its body into a stream,
  // which the outbox refuses. A streamed body is left as it is, for capture to refuse.
  const source = bufferedBody(request);
  if (!source) return request;
  return rebuilt(request, request.body === null ? null : await source.arrayBuffer(), url);
}

/**
 * A write the log cannot hold: sent as it is when the network is up, else refused out loud,
 * never dropped silently (SPEC §2).
 */
async function passThroughOrRefuse(request: Request, reason: string): Promise<Response> {
  try {
    return await fetch(request);
  } catch {
    return refusedResponse(reason, `sw-outbox could not queue this request (${reason}), and sending it failed`);
  }
}

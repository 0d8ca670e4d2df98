// Stopping service workers and firing Background Sync. Playwright has an API for neither, so
// both go through Chromium's DevTools protocol (the ServiceWorker domain), and fail with a
// message that says so in any other engine.
import type { BrowserContext, CDPSession, Page } from '@playwright/test';

/** A registration and its versions, as the DevTools protocol reports them. */
interface Registration {
  registrationId: string;
  scopeURL: string;
}

interface Version {
  versionId: string;
  registrationId: string;
  scriptURL: string;
  runningStatus: 'stopped' | 'starting' | 'running' | 'stopping';
}

/** The Background Sync tag sw-outbox registers (its Workbox queue is named `sw-outbox`). */
export const outboxSyncTag = 'workbox-background-sync:sw-outbox';

/** The tag Workbox's BackgroundSyncPlugin / Queue registers for a queue of this name. */
export function workboxSyncTag(queueName: string): string {
  return `workbox-background-sync:${queueName}`;
}

/** The page's origin; an error for a page not (yet) on one, since workers belong to an origin. */
export function originOf(page: Page): string {
  const origin = new URL(page.url()).origin;
  if (origin === 'null') throw new Error(`sw-outbox/testing: the page is at ${page.url()}; open a page of the app first (page.goto) so its origin is known`);
  return origin;
}

/**
 * A DevTools session watching the page's service workers. `ServiceWorker.enable` reports every
 * registration and version as events, right after it answers; `settle` waits for them.
 */
class WorkerWatch {
  readonly registrations = new Map<string, Registration>();
  readonly versions = new Map<string, Version>();
  private changed: () => void = () => undefined;

  private constructor(readonly cdp: CDPSession) {
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      for (const registration of registrations as (Registration & { isDeleted: boolean })[]) {
        if (registration.isDeleted) this.registrations.delete(registration.registrationId);
        else this.registrations.set(registration.registrationId, registration);
      }
      this.changed();
    });
    cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
      for (const version of versions as Version[]) this.versions.set(version.versionId, version);
      this.changed();
    });
  }

  static async open(page: Page, operation: string, why: string): Promise<WorkerWatch> {
    const fail = (detail: string) => new Error(`sw-outbox/testing: ${operation} works in Chromium only: ${why} (${detail})`);
    const engine = page.context().browser()?.browserType().name();
    if (engine && engine !== 'chromium') throw fail(`this browser is ${engine}`);
    let cdp: CDPSession;
    try {
      cdp = await page.context().newCDPSession(page);
    } catch (error) {
      const message = (error as Error).message;
      // Any other failure (the page closed, say) is not about the engine: it goes as it is.
      if (!/only available in Chromium/i.test(message)) throw error;
      throw fail(message.split('\n')[0]!);
    }
    const watch = new WorkerWatch(cdp);
    await cdp.send('ServiceWorker.enable');
    return watch;
  }

  /** Resolves once `done` holds for what has been reported, or after `timeout` ms either way. */
  async until(done: () => boolean, timeout: number): Promise<void> {
    const deadline = Date.now() + timeout;
    while (!done() && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        this.changed = resolve;
        setTimeout(resolve, 50);
      });
    }
  }

  /** The registrations of an origin, the narrowest scope first. */
  registrationsOf(origin: string): Registration[] {
    return [...this.registrations.values()]
      .filter((registration) => new URL(registration.scopeURL).origin === origin)
      .sort((a, b) => b.scopeURL.length - a.scopeURL.length);
  }

  liveVersionsOf(origin: string): Version[] {
    return [...this.versions.values()].filter((version) => new URL(version.scriptURL).origin === origin && version.runningStatus !== 'stopped');
  }

  close(): Promise<void> {
    return this.cdp.detach().catch(() => undefined);
  }
}

/** How long a stopping worker may take to stop. */
const stopTimeoutMs = 30_000;

/** Contexts where `stopServiceWorkers` left workers stopped (see `startStoppedWorkers`). */
const stoppedIn = new WeakSet<BrowserContext>();

/**
 * Stops every running service worker of the page's origin, as Chromium does to an idle one, and
 * resolves once they have stopped. The next event for the worker (a fetch, a message, a sync)
 * starts it again. A page's MessagePort to the old instance is dead after this.
 */
export async function stopServiceWorkers(page: Page): Promise<void> {
  const origin = originOf(page);
  const watch = await WorkerWatch.open(page, 'stop()', 'no engine lets a test stop a service worker, and Playwright has no API for it');
  try {
    // Registrations arrive first; give the versions a moment to follow.
    await watch.until(() => watch.registrationsOf(origin).length > 0 && watch.liveVersionsOf(origin).length > 0, 500);
    for (const version of watch.liveVersionsOf(origin)) await watch.cdp.send('ServiceWorker.stopWorker', { versionId: version.versionId });
    // A worker stops once its running events have ended; on a loaded machine that can take seconds.
    await watch.until(() => watch.liveVersionsOf(origin).length === 0, stopTimeoutMs);
    const left = watch.liveVersionsOf(origin);
    if (left.length > 0) throw new Error(`sw-outbox/testing: stop(): ${left.map((version) => `${version.scriptURL} (${version.runningStatus})`).join(', ')} did not stop within ${stopTimeoutMs / 1000} s`);
    stoppedIn.add(page.context());
  } finally {
    await watch.close();
  }
}

/**
 * Starts the workers `stopServiceWorkers` stopped in the page's context, if it did, and resolves
 * once they run and answer Playwright. Playwright sends a change of the network to each worker's
 * DevTools session: a stopped worker's session holds it (and Playwright's call with it), and one
 * sent while the worker is still starting can be lost, leaving it offline. A running worker takes
 * the change like a page does.
 */
export async function startStoppedWorkers(page: Page): Promise<void> {
  const context = page.context();
  if (!stoppedIn.has(context)) return;
  stoppedIn.delete(context);
  const watch = await WorkerWatch.open(page, 'online()/offline() after stop()', 'only Chromium can stop a worker');
  try {
    await watch.until(() => watch.registrations.size > 0 && watch.versions.size > 0, 500);
    const known = context.serviceWorkers();
    const started = [...watch.versions.values()].filter((version) => version.runningStatus === 'stopped' && known.some((worker) => worker.url() === version.scriptURL));
    for (const version of started) {
      const registration = watch.registrations.get(version.registrationId);
      if (registration) await watch.cdp.send('ServiceWorker.startWorker', { scopeURL: registration.scopeURL });
    }
    const running = () => started.every((version) => watch.versions.get(version.versionId)?.runningStatus === 'running');
    await watch.until(running, 5_000);
    if (!running()) throw new Error('sw-outbox/testing: the workers stop() stopped did not start again within 5 s');
    // An answer means the worker's DevTools session is live again.
    await Promise.all(known.filter((worker) => started.some((version) => version.scriptURL === worker.url())).map((worker) => worker.evaluate(() => 0)));
  } finally {
    await watch.close();
  }
}

/**
 * Fires a Background Sync event at the worker whose scope covers the page, as Chromium does when
 * the network comes back (after a failed sync it otherwise waits minutes). The default tag is
 * sw-outbox's; `workboxSyncTag(name)` gives a Workbox queue's. Resolves once it is dispatched.
 */
export async function fireSync(page: Page, tag = outboxSyncTag, options: { lastChance?: boolean } = {}): Promise<void> {
  const origin = originOf(page);
  const watch = await WorkerWatch.open(
    page,
    'sync()',
    'Background Sync exists in Chromium only (Firefox and WebKit have none: there, test reconnection with online() and let the app replay on its own)',
  );
  try {
    await watch.until(() => watch.registrationsOf(origin).length > 0, 1_000);
    const registration = watch.registrationsOf(origin).find((candidate) => page.url().startsWith(candidate.scopeURL));
    if (!registration) throw new Error(`sw-outbox/testing: sync(): no service worker registration covers ${page.url()}`);
    await watch.cdp.send('ServiceWorker.dispatchSyncEvent', { origin, registrationId: registration.registrationId, tag, lastChance: options.lastChance ?? false });
  } finally {
    await watch.close();
  }
}

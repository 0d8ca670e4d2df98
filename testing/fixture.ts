// The `sw` fixture: the kit's operations bound to the test's page, and a browser profile that
// survives a relaunch when the test asks for one (`test.use({ persistentProfile: true })`).
import { test as base, type Page } from '@playwright/test';
import { goOffline, goOnline } from './network';
import { fireSync, stopServiceWorkers } from './workers';
import { readQueue, readWorkboxQueue, waitForDrain, type DrainOptions, type LogOptions, type QueuedWrite, type WorkboxQueuedRequest } from './queues';
import { launchProfile, type Profile } from './profile';

/** The kit's operations on the test's current page (the relaunched one after `relaunch()`). */
export interface ServiceWorkerKit {
  readonly page: Page;
  /** The page and its service workers lose the network (the worker's own fetches fail too). */
  offline(): Promise<void>;
  online(): Promise<void>;
  /** Stops the origin's service workers as the browser does when idle; the next event starts them. Chromium only. */
  stop(): Promise<void>;
  /** Fires Background Sync (sw-outbox's tag by default; `workboxSyncTag(name)` for a Workbox queue). Chromium only. */
  sync(tag?: string): Promise<void>;
  /** Resolves once sw-outbox has nothing left to send; fails listing what is still queued. */
  drained(options?: DrainOptions): Promise<void>;
  /** What sw-outbox's log holds. */
  queue(options?: LogOptions): Promise<QueuedWrite[]>;
  /** What a Workbox Background Sync queue holds. */
  workboxQueue(name: string): Promise<WorkboxQueuedRequest[]>;
  /** Closes the browser and launches it again on the same profile; resolves with the new (blank) page. Needs `persistentProfile`. */
  relaunch(): Promise<Page>;
}

class Kit implements ServiceWorkerKit {
  constructor(private current: Page, private readonly profile: Profile | null) {}

  get page(): Page {
    return this.current;
  }

  offline = () => goOffline(this.current);
  online = () => goOnline(this.current);
  stop = () => stopServiceWorkers(this.current);
  sync = (tag?: string) => fireSync(this.current, tag);
  drained = (options?: DrainOptions) => waitForDrain(this.current, options);
  queue = (options?: LogOptions) => readQueue(this.current, options);
  workboxQueue = (name: string) => readWorkboxQueue(this.current, name);

  async relaunch(): Promise<Page> {
    if (!this.profile) throw new Error('sw-outbox/testing: sw.relaunch() needs a profile that outlives the browser: add test.use({ persistentProfile: true })');
    this.current = await this.profile.relaunch();
    return this.current;
  }
}

export interface KitOptions {
  /**
   * Run the test in a browser on a persistent profile of its own, so `sw.relaunch()` can restart
   * it. That browser gets the project's `launchOptions`, `contextOptions`, `baseURL` and `serviceWorkers`.
   */
  persistentProfile: boolean;
}

export interface KitFixtures {
  sw: ServiceWorkerKit;
  /** The persistent profile the test runs on, or null (see `persistentProfile`). */
  swProfile: Profile | null;
}

/** Playwright's `test` with the `sw` fixture. */
export const test = base.extend<KitFixtures & KitOptions>({
  persistentProfile: [false, { option: true }],
  swProfile: async ({ persistentProfile, playwright, browserName, launchOptions, contextOptions, baseURL, serviceWorkers }, use) => {
    if (!persistentProfile) return use(null);
    const profile = await launchProfile(playwright[browserName], { ...launchOptions, ...contextOptions, baseURL, serviceWorkers });
    await use(profile);
    await profile.close();
  },
  // Playwright's own context is still made (a fixture cannot skip what it overrides); unused then.
  context: async ({ swProfile, context }, use) => use(swProfile?.context ?? context),
  sw: async ({ page, swProfile }, use) => use(new Kit(page, swProfile)),
});

// A browser on a profile that outlives it: close it and launch again on the same directory, and
// the service worker registrations, caches and IndexedDB are still there, as after a restart.
import type { BrowserContext, BrowserType, Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type ProfileOptions = NonNullable<Parameters<BrowserType['launchPersistentContext']>[1]>;

/** A persistent browser profile and the browser currently running on it. */
export interface Profile {
  /** The profile's directory (a fresh temporary one unless given). */
  readonly dir: string;
  readonly context: BrowserContext;
  /** The browser's first page. */
  readonly page: Page;
  /** Closes the browser and launches it again on the same profile; resolves with its first page (blank). */
  relaunch(): Promise<Page>;
  /** Closes the browser; removes the profile's directory if the profile made it. */
  close(): Promise<void>;
}

/** Launches `browserType` on a persistent profile (`dir`, or a new temporary directory). */
export async function launchProfile(browserType: BrowserType, options: ProfileOptions = {}, dir?: string): Promise<Profile> {
  const profileDir = dir ?? mkdtempSync(join(tmpdir(), 'sw-outbox-profile-'));
  const launch = async () => {
    const context = await browserType.launchPersistentContext(profileDir, options);
    return { context, page: context.pages()[0] ?? (await context.newPage()) };
  };
  let current = await launch();
  return {
    dir: profileDir,
    get context() {
      return current.context;
    },
    get page() {
      return current.page;
    },
    async relaunch() {
      await current.context.close();
      current = await launch();
      return current.page;
    },
    async close() {
      await current.context.close();
      if (!dir) rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

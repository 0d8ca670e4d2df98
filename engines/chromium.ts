// Chromium through Playwright, on a persistent profile. Playwright's offline switch covers the
// page and its service workers, so Chromium is told as well as cut off.
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../e2e/browser';
import { goOffline, goOnline, stopServiceWorkers } from '../testing';
import { scriptedNavigation, type EngineBrowser, type LaunchOptions } from './driver';

/** Launches Chromium on `options.profileDir`. */
export async function launchChromium(options: LaunchOptions): Promise<EngineBrowser> {
  const launch = async (): Promise<{ context: BrowserContext; tabs: Page[] }> => {
    const context = await chromium.launchPersistentContext(options.profileDir, { ...chromiumLaunchOptions(), serviceWorkers: 'allow' });
    return { context, tabs: [context.pages()[0] ?? (await context.newPage())] };
  };
  let current = await launch();
  let tab = 0;
  const page = (): Page => current.tabs[tab]!;
  const version = current.context.browser()?.version() ?? (await page().evaluate(() => navigator.userAgent.match(/Chrome\/([\d.]+)/)?.[1] ?? 'unknown'));
  return {
    engine: 'chromium',
    version,
    ...scriptedNavigation(page, options.origin),
    click: (selector) => page().click(selector),
    type: (selector, text) => page().fill(selector, text),
    pressEnter: (selector) => page().press(selector, 'Enter'),
    async setOffline(offline) {
      if (offline) options.network.cut();
      else options.network.restore();
      // The kit's switch, which first starts a worker stopWorkers stopped (see testing/network.ts).
      await (offline ? goOffline : goOnline)(page());
    },
    async useTab(index) {
      while (current.tabs.length <= index) current.tabs.push(await current.context.newPage());
      tab = index;
    },
    workerStop: 'DevTools protocol: ServiceWorker.stopWorker (the kit\'s stopServiceWorkers)',
    async stopWorkers() {
      tab = 0;
      await stopServiceWorkers(page());
    },
    async relaunch() {
      await current.context.close();
      current = await launch();
      tab = 0;
    },
    close: () => current.context.close(),
  };
}

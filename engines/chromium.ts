// Chromium through Playwright, on a persistent profile. Playwright's offline switch covers the
// page and its service workers, so Chromium is told as well as cut off.
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../e2e/browser';
import { scriptedNavigation, type EngineBrowser, type LaunchOptions } from './driver';

/** Launches Chromium on `options.profileDir`. */
export async function launchChromium(options: LaunchOptions): Promise<EngineBrowser> {
  const launch = async (): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await chromium.launchPersistentContext(options.profileDir, { ...chromiumLaunchOptions(), serviceWorkers: 'allow' });
    return { context, page: context.pages()[0] ?? (await context.newPage()) };
  };
  let current = await launch();
  const version = current.context.browser()?.version() ?? (await current.page.evaluate(() => navigator.userAgent.match(/Chrome\/([\d.]+)/)?.[1] ?? 'unknown'));
  return {
    engine: 'chromium',
    version,
    ...scriptedNavigation(() => current.page, options.origin),
    click: (selector) => current.page.click(selector),
    type: (selector, text) => current.page.fill(selector, text),
    pressEnter: (selector) => current.page.press(selector, 'Enter'),
    async setOffline(offline) {
      if (offline) options.network.cut();
      else options.network.restore();
      await current.context.setOffline(offline);
    },
    async relaunch() {
      await current.context.close();
      current = await launch();
    },
    close: () => current.context.close(),
  };
}

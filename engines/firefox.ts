// Firefox through puppeteer-core over WebDriver BiDi (Playwright drives only its own Firefox
// build). Its page-level offline switch leaves the service worker online, so the browser is
// taken offline as a whole, `Services.io.offline` in its privileged (chrome) scope, and cut off.
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { scriptedNavigation, type EngineBrowser, type LaunchOptions } from './driver';

/** Debian's Firefox ESR unless FIREFOX_PATH says otherwise. */
export const firefoxPath = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/** The raw BiDi line, for the one command puppeteer has no API for. */
interface BidiLine {
  send(method: string, params: object): Promise<{ result: unknown }>;
}

async function launch(profileDir: string): Promise<{ browser: Browser; page: Page }> {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: firefoxPath,
    headless: true,
    userDataDir: profileDir,
    // Lets BiDi evaluate in the chrome scope, where the browser's own network switch is.
    args: ['--remote-allow-system-access'],
    // The switch is the test's alone: Firefox must not set it back from the OS's link state.
    extraPrefsFirefox: { 'network.manage-offline-status': false },
  });
  return { browser, page: (await browser.pages())[0] ?? (await browser.newPage()) };
}

/** Sets Firefox's own offline switch, which `navigator.onLine` in pages and workers follows. */
async function setBrowserOffline(browser: Browser, offline: boolean): Promise<void> {
  const line = (browser as unknown as { connection: BidiLine }).connection;
  const { result } = await line.send('browsingContext.getTree', { 'moz:scope': 'chrome' });
  const chrome = (result as { contexts: { context: string }[] }).contexts[0];
  if (!chrome) throw new Error('firefox: no chrome-scope context to set the network switch in');
  await line.send('script.evaluate', { expression: `Services.io.offline = ${offline}`, target: { context: chrome.context }, awaitPromise: false });
}

/** Launches Firefox on `options.profileDir`. */
export async function launchFirefox(options: LaunchOptions): Promise<EngineBrowser> {
  let current = await launch(options.profileDir);
  const version = (await current.browser.version()).replace(/^firefox\//, '');
  return {
    engine: 'firefox',
    version,
    ...scriptedNavigation(() => current.page, options.origin),
    // Locators wait for the element and find it again if the page re-renders it meanwhile.
    click: (selector) => current.page.locator(selector).click(),
    type: (selector, text) => current.page.locator(selector).fill(text),
    async pressEnter(selector) {
      await current.page.focus(selector);
      await current.page.keyboard.press('Enter');
    },
    async setOffline(offline) {
      if (offline) options.network.cut();
      else options.network.restore();
      await setBrowserOffline(current.browser, offline);
    },
    async relaunch() {
      await current.browser.close();
      current = await launch(options.profileDir);
    },
    close: () => current.browser.close(),
  };
}

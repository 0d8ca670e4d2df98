// Firefox through puppeteer-core over WebDriver BiDi (Playwright drives only its own Firefox
// build). Its page-level offline switch leaves the service worker online, so the browser is
// taken offline as a whole, `Services.io.offline` in its privileged (chrome) scope, and cut off.
// The same scope holds the service-worker manager about:debugging uses to stop a worker.
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { scriptedNavigation, type EngineBrowser, type LaunchOptions } from './driver';

/** Debian's Firefox ESR unless FIREFOX_PATH says otherwise. */
export const firefoxPath = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/** The raw BiDi line, for the commands puppeteer has no API for. */
interface BidiLine {
  send(method: string, params: object): Promise<{ result: unknown }>;
}

async function launch(profileDir: string): Promise<{ browser: Browser; tabs: Page[] }> {
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
  return { browser, tabs: [(await browser.pages())[0] ?? (await browser.newPage())] };
}

/** Evaluates `expression` in Firefox's privileged (chrome) scope, awaiting it when it is a promise. */
async function evaluateInChrome(browser: Browser, expression: string): Promise<void> {
  const line = (browser as unknown as { connection: BidiLine }).connection;
  const { result } = await line.send('browsingContext.getTree', { 'moz:scope': 'chrome' });
  const chrome = (result as { contexts: { context: string }[] }).contexts[0];
  if (!chrome) throw new Error('firefox: no chrome-scope context to evaluate in');
  const evaluated = (await line.send('script.evaluate', { expression, target: { context: chrome.context }, awaitPromise: true })).result as {
    type: string;
    exceptionDetails?: { text: string };
  };
  if (evaluated.type === 'exception') throw new Error(`firefox: in the chrome scope, ${expression} threw ${evaluated.exceptionDetails?.text}`);
}

/** Sets Firefox's own offline switch, which `navigator.onLine` in pages and workers follows. */
function setBrowserOffline(browser: Browser, offline: boolean): Promise<void> {
  return evaluateInChrome(browser, `Services.io.offline = ${offline}`);
}

/**
 * Terminates every service worker of `origin` through nsIServiceWorkerManager, as about:debugging's
 * Stop button does; resolves once they have ended.
 */
function terminateWorkers(browser: Browser, origin: string): Promise<void> {
  return evaluateInChrome(
    browser,
    `(async () => {
      const manager = Cc['@mozilla.org/serviceworkers/manager;1'].getService(Ci.nsIServiceWorkerManager);
      const registrations = manager.getAllRegistrations();
      const ended = [];
      for (let i = 0; i < registrations.length; i++) {
        const registration = registrations.queryElementAt(i, Ci.nsIServiceWorkerRegistrationInfo);
        if (!registration.scope.startsWith(${JSON.stringify(origin + '/')})) continue;
        for (const worker of [registration.installingWorker, registration.waitingWorker, registration.activeWorker]) if (worker) ended.push(worker.terminateWorker());
      }
      await Promise.all(ended);
    })()`,
  );
}

/** Launches Firefox on `options.profileDir`. */
export async function launchFirefox(options: LaunchOptions): Promise<EngineBrowser> {
  let current = await launch(options.profileDir);
  let tab = 0;
  const page = (): Page => current.tabs[tab]!;
  const version = (await current.browser.version()).replace(/^firefox\//, '');
  return {
    engine: 'firefox',
    version,
    ...scriptedNavigation(page, options.origin),
    // Locators wait for the element and find it again if the page re-renders it meanwhile.
    click: (selector) => page().locator(selector).click(),
    type: (selector, text) => page().locator(selector).fill(text),
    async pressEnter(selector) {
      await page().focus(selector);
      await page().keyboard.press('Enter');
    },
    async setOffline(offline) {
      if (offline) options.network.cut();
      else options.network.restore();
      await setBrowserOffline(current.browser, offline);
    },
    async useTab(index) {
      while (current.tabs.length <= index) current.tabs.push(await current.browser.newPage());
      tab = index;
    },
    workerStop: "chrome-scope nsIServiceWorkerManager: the worker's terminateWorker(), as about:debugging's Stop",
    async stopWorkers() {
      tab = 0;
      await terminateWorkers(current.browser, options.origin);
    },
    async relaunch() {
      await current.browser.close();
      current = await launch(options.profileDir);
      tab = 0;
    },
    close: () => current.browser.close(),
  };
}

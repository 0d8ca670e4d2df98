// WebKit through WebKitGTK's WebDriver (WebKitWebDriver, classic WebDriver: it has no BiDi) and
// webdriverio, under a virtual X display. The browser is webkit-browser.py: MiniBrowser keeps no
// data in automation mode, so a relaunch would find an empty profile. WebKit has no offline
// switch a driver can reach: the link is cut, and `navigator.onLine` stays true. Nor can a driver
// stop a service worker (it runs in the pages' own web process): WebKit ends one that has had no
// client for about 10 s, so the app's tabs leave it for longer than that and come back.
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { remote } from 'webdriverio';
import { freePort, spawnOwned, stopProcess } from './processes';
import { pageExpression, type EngineBrowser, type LaunchOptions, type PageFunction } from './driver';

export const webkitDriverPath = process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver';
export const browserScript = fileURLToPath(new URL('./webkit-browser.py', import.meta.url));

type Session = Awaited<ReturnType<typeof remote>>;

/** What a WebKit run needs besides the browser: an X display and the driver. */
export interface WebKitHost {
  launch(options: LaunchOptions): Promise<EngineBrowser>;
  stop(): Promise<void>;
}

/** Starts Xvfb and WebKitWebDriver for a run of WebKit stories. */
export async function startWebKitHost(): Promise<WebKitHost> {
  const xvfb = spawnOwned('Xvfb', ['-displayfd', '1', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const display = `:${await firstLine(xvfb)}`;
  const port = await freePort();
  // A session a hung story could not delete gives way to the next story's.
  const driver = spawnOwned(webkitDriverPath, [`--port=${port}`, '--replace-on-new-session'], { stdio: 'ignore', env: { ...process.env, DISPLAY: display } });
  const processes = [driver, xvfb];
  return {
    launch: (options) => launchWebKit(port, options),
    async stop() {
      for (const child of processes) await stopProcess(child);
    },
  };
}

function openSession(port: number, profileDir: string): Promise<Session> {
  return remote({
    hostname: '127.0.0.1',
    port,
    logLevel: 'error',
    connectionRetryCount: 20,
    capabilities: {
      browserName: 'sw-outbox-webkit',
      'wdio:enforceWebDriverClassic': true,
      'webkitgtk:browserOptions': { binary: browserScript, args: [`--profile=${profileDir}`] },
    } as WebdriverIO.Capabilities,
  });
}

/**
 * How long every tab stays away from the app for WebKit to end its worker: WebKitGTK 2.50 ends a
 * worker with no clients after about 10 s (9 s was never enough here, 10 s always was).
 */
const clientlessStopMs = 11_000;

/** The windows of a session: tab 0 is the one the session opened with. */
interface Tabs {
  handles: string[];
  current: number;
}

async function launchWebKit(port: number, options: LaunchOptions): Promise<EngineBrowser> {
  let session = await openSession(port, options.profileDir);
  const fresh = async (): Promise<Tabs> => ({ handles: [await session.getWindowHandle()], current: 0 });
  let tabs = await fresh();
  const useTab = async (index: number): Promise<void> => {
    while (tabs.handles.length <= index) tabs.handles.push((await session.createWindow('tab')).handle);
    if (tabs.current !== index) await session.switchToWindow(tabs.handles[index]!);
    tabs.current = index;
  };
  return {
    engine: 'webkit',
    version: String(session.capabilities.browserVersion ?? 'unknown'),
    async goto(path) {
      await session.url(options.origin + path);
    },
    async reload() {
      await session.refresh();
    },
    evaluate<A, R>(fn: PageFunction<A, R>, arg: A) {
      return session.execute(`return ${pageExpression(fn, arg)};`) as Promise<R>;
    },
    click: (selector) => session.$(selector).click(),
    type: (selector, text) => session.$(selector).setValue(text),
    // U+E007 is WebDriver's Enter key.
    pressEnter: (selector) => session.$(selector).addValue('\uE007'),
    async setOffline(offline) {
      if (offline) options.network.cut();
      else options.network.restore();
    },
    useTab,
    workerStop: `none from outside: every tab leaves the app for ${clientlessStopMs / 1000} s, WebKit ends the clientless worker, the tabs come back`,
    async stopWorkers() {
      const shown: string[] = [];
      for (let index = 0; index < tabs.handles.length; index++) {
        await useTab(index);
        shown.push(await session.getUrl());
        await session.url('about:blank');
      }
      await new Promise((resolve) => setTimeout(resolve, clientlessStopMs));
      for (let index = shown.length - 1; index >= 0; index--) {
        await useTab(index);
        await session.url(shown[index]!);
      }
    },
    async relaunch() {
      await session.deleteSession();
      session = await openSession(port, options.profileDir);
      tabs = await fresh();
    },
    close: () => session.deleteSession(),
  };
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('\n')) resolve(output.trim());
    });
    child.on('exit', (code) => reject(new Error(`Xvfb exited (${code}) before it named its display`)));
  });
}

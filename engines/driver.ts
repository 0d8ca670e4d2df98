// The one small surface the cross-engine stories are written against. Each engine (Chromium,
// Firefox, WebKit) is driven by a different tool; each implements this the way its tool can.

/** The engines the stories run in. */
export type EngineName = 'chromium' | 'firefox' | 'webkit';

/** A function run inside the page: its argument and result cross as JSON. */
export type PageFunction<A, R> = (arg: A) => R | Promise<R>;

/** One browser on one profile, showing one page of the app under test. */
export interface EngineBrowser {
  readonly engine: EngineName;
  /** The engine's version as the browser reports it. */
  readonly version: string;
  /** Navigates to a path of the app's origin and waits for the page to load. */
  goto(path: string): Promise<void>;
  /** Reloads the current page and waits for it to load. */
  reload(): Promise<void>;
  /** Runs `fn(arg)` in the page; resolves with its (awaited) result. */
  evaluate<A, R>(fn: PageFunction<A, R>, arg: A): Promise<R>;
  /** Clicks the first element matching a CSS selector, as a user does. */
  click(selector: string): Promise<void>;
  /** Replaces the text of the input matching `selector` by typing `text`. */
  type(selector: string, text: string): Promise<void>;
  /** Presses Enter in the input matching `selector`. */
  pressEnter(selector: string): Promise<void>;
  /**
   * Takes the network away from the page and its service worker, or gives it back. Every engine
   * cuts the connections to the app (see link.ts); those that can also tell the browser, so
   * `navigator.onLine` and the `online` event follow.
   */
  setOffline(offline: boolean): Promise<void>;
  /**
   * Makes tab `index` (0 is the first) the one every other call acts on, opening a blank tab when
   * there is none yet. Every browser starts, and relaunches, with one tab.
   */
  useTab(index: number): Promise<void>;
  /**
   * Has the browser stop the app's service workers, as it does to an idle one; the next event
   * starts them again. Each engine offers a different way (README, Every engine); `workerStop` says how.
   * Every tab shows the page it showed before (reloaded where the way needs it), and tab 0 is
   * the current one afterwards.
   */
  stopWorkers(): Promise<void>;
  /** How `stopWorkers` stops them, for reports. */
  readonly workerStop: string;
  /** Closes the browser and launches it again on the same profile; the new one shows a blank page. */
  relaunch(): Promise<void>;
  /** Closes the browser for good. */
  close(): Promise<void>;
}

/** What every engine's launcher is given. */
export interface LaunchOptions {
  /** The app's origin, e.g. `http://127.0.0.1:4500` (the cuttable link, not the server itself). */
  origin: string;
  /** The profile directory: it outlives a relaunch. */
  profileDir: string;
  /** Cuts or restores the connections to the app. */
  network: { cut(): void; restore(): void };
}

/**
 * The page-side source of `fn(arg)` as an expression every tool can evaluate. The function is
 * sent as text: esbuild (under tsx) may wrap named inner functions in `__name(...)`, a helper
 * that exists only in Node, so the expression brings a stand-in for it.
 */
export function pageExpression<A, R>(fn: PageFunction<A, R>, arg: A): string {
  return `(() => { const __name = (f) => f; return (${fn.toString()})(${JSON.stringify(arg ?? null)}); })()`;
}

/** What Playwright's and puppeteer's pages have alike: enough to navigate and evaluate. */
export interface ScriptablePage {
  goto(url: string): Promise<unknown>;
  reload(): Promise<unknown>;
  evaluate(expression: string): Promise<unknown>;
}

/** `goto`, `reload` and `evaluate` on the page a tool holds now (a relaunch gives it a new one). */
export function scriptedNavigation(page: () => ScriptablePage, origin: string): Pick<EngineBrowser, 'goto' | 'reload' | 'evaluate'> {
  return {
    async goto(path) {
      await page().goto(origin + path);
    },
    async reload() {
      await page().reload();
    },
    evaluate<A, R>(fn: PageFunction<A, R>, arg: A) {
      return page().evaluate(pageExpression(fn, arg)) as Promise<R>;
    },
  };
}

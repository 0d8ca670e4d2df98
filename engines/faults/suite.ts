// Runs the seeded fault schedule in one engine, through its driver: two tabs of the fault page
// write while the plan's faults come, then the network and the server come back for good, the
// outbox drains, and the server's audit log is checked against what the tabs wrote.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { workerUrlWithSettings, type OutboxSettings } from '../../protocol';
import type { EngineBrowser, LaunchOptions } from '../driver';
import { outboxReady, outboxStatus, openOutboxPage, pageFetch, sendJson, waitFor, waitForDrain } from '../page';
import { WriteModel, type FaultFigures } from './model';
import { planFaults, type Schedule, type Step } from './plan';
import { withTimeout } from '../timeout';
import { FaultServer } from './server';

/** The page the tabs show (e2e/pages/faults.html): the drop-in, opening offline from the worker's shell. */
const faultPage = '/faults.html';

/**
 * The page's worker settings (as its tag says), for updates: versions off so the check is of
 * delivery alone (conflicts have their own suite), no coalescing so every write counts.
 */
const settings: Partial<OutboxSettings> = { routes: ['/api/'], coalesce: false, versioning: 'off', maxAttempts: 1000, maxBackoffMs: 2000, shell: [faultPage, '/outbox.js'] };

const tabCount = 2;
const itemCount = 8;
/** The longest a step may take: a relaunch, or WebKit's 11 s worker stop, with room on a loaded machine. */
const stepTimeoutMs = 90_000;

export interface FaultRunOptions {
  seed: number;
  steps: number;
  /** Launches the engine's browser (engines/engines.ts). */
  launch(options: LaunchOptions): Promise<EngineBrowser>;
  /** Where the server keeps its database, and the browser its profile. */
  dataDir: string;
  profileDir: string;
  /** Called with each step before it runs (FAULT_TRACE). */
  trace?: (line: string) => void;
}

/** The fault page in each tab, its client connected to the worker. */
async function openTabs(browser: EngineBrowser): Promise<void> {
  for (let tab = 0; tab < tabCount; tab++) {
    await browser.useTab(tab);
    await openOutboxPage(browser, faultPage);
  }
}

/** Waits until every tab's client is connected again (after its worker was stopped or its page reloaded). */
async function tabsReady(browser: EngineBrowser): Promise<void> {
  for (let tab = 0; tab < tabCount; tab++) {
    await browser.useTab(tab);
    await outboxReady(browser);
  }
}

/**
 * The id of the worker instance tab 0 talks to: a new one after each start. A worker the browser is
 * still starting may miss the client's call timeout (4 s) on a loaded machine; the client then
 * reconnects by itself, so the status is asked again for up to 30 s.
 */
async function workerInstance(browser: EngineBrowser): Promise<string> {
  await browser.useTab(0);
  return (await waitFor('the worker to answer', () => outboxStatus(browser), () => true, 30_000)).instance;
}

/** Registers a worker that differs from the running one and waits until it controls tab 0 (up to 15 s). */
async function updateWorker(browser: EngineBrowser, origin: string, update: number): Promise<void> {
  // Each update's backoff cap differs by a millisecond: a new script URL, so a new worker.
  const url = workerUrlWithSettings('/outbox-sw.js', { ...settings, maxBackoffMs: 2000 + update }, origin);
  await browser.useTab(0);
  await browser.evaluate((url) => navigator.serviceWorker.register(url).then(() => undefined), url);
  await waitFor('the updated worker to control the page', () => browser.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null, null), (script) => script === url, 15_000);
}

/** Runs the schedule of `options.seed` and `options.steps` in one engine; resolves with its figures. */
export async function runFaultSchedule(options: FaultRunOptions): Promise<FaultFigures> {
  const started = Date.now();
  const server = await FaultServer.start(options.dataDir);
  let browser: EngineBrowser | null = null;
  try {
    const ids: number[] = [];
    for (let i = 0; i < itemCount; i++) ids.push((await server.hooks.create(`item ${i}`)).id);
    const model = new WriteModel(ids);
    const faults: FaultFigures['faults'] = {};
    let offline = false;

    browser = await options.launch({ origin: server.origin, profileDir: options.profileDir, network: server.link });
    const live = browser;
    await openTabs(live);

    const run = async (step: Step): Promise<void> => {
      switch (step.kind) {
        case 'write': {
          await live.useTab(step.tab);
          const answer = await sendJson(live, 'PATCH', `/api/todos/${ids[step.item]}`, { notes: step.note });
          if (answer.status !== 200 && answer.status !== 202) throw new Error(`write ${step.note} was answered ${answer.status}: ${answer.text}`);
          model.wrote(ids[step.item]!, step.note);
          return;
        }
        case 'network off':
        case 'network on':
          offline = step.kind === 'network off';
          await live.setOffline(offline);
          break;
        case 'server 5xx':
          await server.hooks.faults({ fail: { count: step.count, status: step.status, ...(step.retryAfter ? { retryAfter: step.retryAfter } : {}) } });
          break;
        case 'server killed':
          await server.kill();
          break;
        case 'server restarted':
          await server.restart();
          break;
        case 'worker stopped': {
          const before = await workerInstance(live);
          await live.stopWorkers();
          await tabsReady(live);
          // A stop that did not happen must not be counted as one.
          if ((await workerInstance(live)) === before) throw new Error(`the worker was not stopped (${live.workerStop})`);
          break;
        }
        case 'browser relaunched':
          await live.relaunch();
          // The browser comes back knowing the network is still gone, as one that starts offline does.
          if (offline) await live.setOffline(true);
          await openTabs(live);
          break;
        case 'worker updated':
          await updateWorker(live, server.origin, step.update!);
          break;
      }
      faults[step.kind] = (faults[step.kind] ?? 0) + 1;
    };

    const plan = planFaults({ seed: options.seed, steps: options.steps, tabs: tabCount, items: itemCount });
    for (const [index, step] of plan.entries()) {
      options.trace?.(`step ${index} ${JSON.stringify(step)} (server ${server.up ? 'up' : 'down'}, ${offline ? 'offline' : 'online'})`);
      try {
        await withTimeout(run(step), stepTimeoutMs, 'the step');
      } catch (error) {
        throw new Error(`step ${index} (${step.kind}) failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, step.pauseMs));
    }

    // Settle: network on, server up and healthy, then the outbox drains.
    const settle = async (): Promise<void> => {
      await live.setOffline(false);
      await server.restart();
      await server.hooks.faults({});
      await live.useTab(0);
      await waitForDrain(live, 120_000);
    };
    await withTimeout(settle(), 150_000, 'settling (the outbox draining)');

    const writes = await server.hooks.writes();
    const onServer = await server.hooks.todos();
    let tabsEqual = 0;
    for (let tab = 0; tab < tabCount; tab++) {
      await live.useTab(tab);
      const read = await pageFetch(live, '/api/todos', { method: 'GET' });
      if (read.status === 200 && isDeepStrictEqual(JSON.parse(read.text), onServer)) tabsEqual++;
    }
    return {
      engine: live.engine,
      seed: options.seed,
      steps: options.steps,
      writesTried: model.written,
      faults,
      ...model.check(writes),
      tabsEqual,
      tabs: tabCount,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await withTimeout(browser?.close() ?? Promise.resolve(), 20_000, 'closing the browser').catch(() => undefined);
    await server.close();
  }
}

/**
 * Runs a schedule in an engine on a fresh profile and database of its own (removed afterwards),
 * tracing each step when FAULT_TRACE is set.
 */
export async function runFaultsInEngine(launch: FaultRunOptions['launch'], engine: string, schedule: Schedule): Promise<FaultFigures> {
  const profileDir = mkdtempSync(join(tmpdir(), `sw-outbox-faults-${engine}-`));
  const dataDir = mkdtempSync(join(tmpdir(), `sw-outbox-faults-db-${engine}-`));
  try {
    return await runFaultSchedule({ ...schedule, launch, profileDir, dataDir, trace: process.env.FAULT_TRACE ? (line) => console.error(`  ${engine} ${line}`) : undefined });
  } finally {
    rmSync(profileDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

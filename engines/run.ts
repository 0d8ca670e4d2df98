// Runs the cross-engine stories in Chromium, Firefox and WebKit, one engine after another, each
// against its own demo server behind a cuttable link, each story in a fresh profile; then, in
// Firefox and WebKit, the short seeded fault schedule (engines/faults; Chromium runs a longer one
// in the Playwright suite). An engine that cannot run here fails its stories out loud.
// ENGINES=firefox,webkit picks engines; STORIES=2,6 picks stories by number (11 is the fault
// schedule). Prints `N passed, N failed` last; exits 1 on any failure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoServer } from './demo-server';
import type { EngineBrowser } from './driver';
import { engines, type Engine, type EngineRun } from './engines';
import { faultProblems, formatFigures, runFaultsInEngine, scheduleFromEnv, shortSchedule } from './faults';
import { openLink } from './link';
import { stories, type Story } from './stories';
import { withTimeout } from './timeout';

const storyTimeoutMs = 90_000;

/** The fault schedule's place in the list of stories (STORIES=11). */
const faultStory = '11';
/** Engines that run the fault schedule here: Chromium runs it in the Playwright suite (e2e/faults.spec.ts). */
const faultEngines = new Set(['firefox', 'webkit']);
const faultSchedule = scheduleFromEnv(shortSchedule);

interface EngineReport {
  engine: string;
  version: string;
  /** Whether the engine's pages have Background Sync, as a page of the app saw it. */
  backgroundSync: string;
  passed: number;
  failed: number;
  seconds: number;
}

function picked<T>(all: T[], variable: string, key: (item: T) => string): T[] {
  const wanted = process.env[variable]?.split(',').map((value) => value.trim()).filter(Boolean);
  if (!wanted?.length) return all;
  const chosen = all.filter((item) => wanted.includes(key(item)));
  if (chosen.length === 0) throw new Error(`${variable}=${process.env[variable]} names nothing to run`);
  return chosen;
}

const seconds = (since: number): string => ((Date.now() - since) / 1000).toFixed(1);

/** Runs the short fault schedule; resolves with its figures, or rejects with what went wrong. */
async function runFaults(engine: Engine, run: EngineRun): Promise<string> {
  // Its own server, link and profile: the schedule kills and restarts its server.
  const work = runFaultsInEngine(run.launch, engine.name, faultSchedule);
  const figures = await withTimeout(work, 60_000 + faultSchedule.steps * 5_000, 'the fault schedule');
  const problems = faultProblems(figures, faultSchedule);
  if (problems.length) throw new Error(`${problems.join('; ')}\n${formatFigures(figures)}`);
  return formatFigures(figures);
}

/** Prints a story's outcome and counts it in the engine's report. */
function record(report: EngineReport, name: string, started: number, outcome: { error: unknown } | { detail?: string }): void {
  if ('error' in outcome) {
    report.failed++;
    const error = outcome.error;
    console.log(`  ✗ ${report.engine} · ${name} (${seconds(started)} s)\n    ${String(error instanceof Error ? (error.stack ?? error.message) : error).replace(/\n/g, '\n    ')}`);
  } else {
    report.passed++;
    console.log(`  ✓ ${report.engine} · ${name} (${seconds(started)} s)${outcome.detail ? `\n    ${outcome.detail}` : ''}`);
  }
}

/** Runs the stories against one demo server behind a link, each in a fresh profile. */
async function runStories(engine: Engine, run: EngineRun, chosen: Story[], report: EngineReport): Promise<void> {
  const server = await startDemoServer(`.data/engines-${engine.name}`);
  const link = await openLink(server.port);
  try {
    for (const story of chosen) {
      const storyStarted = Date.now();
      const profileDir = mkdtempSync(join(tmpdir(), `sw-outbox-${engine.name}-`));
      let browser: EngineBrowser | null = null;
      try {
        await server.reset();
        link.restore();
        browser = await run.launch({ origin: `http://127.0.0.1:${link.port}`, profileDir, network: link });
        report.version = browser.version;
        await withTimeout(story.run({ browser, server }), storyTimeoutMs, story.name);
        if (report.backgroundSync === '-') report.backgroundSync = (await browser.evaluate(() => 'SyncManager' in window, null)) ? 'yes' : 'no';
        record(report, story.name, storyStarted, {});
      } catch (error) {
        record(report, story.name, storyStarted, { error });
      } finally {
        await withTimeout(browser?.close() ?? Promise.resolve(), 20_000, 'closing the browser').catch((error: unknown) => console.log(`    (${engine.name} did not close: ${String(error)})`));
        rmSync(profileDir, { recursive: true, force: true });
      }
    }
  } finally {
    await link.close();
    await server.stop();
  }
}

/** Runs the chosen stories, then the fault schedule, in one engine; the engine's setup failing fails each with its reason. */
async function runEngine(engine: Engine, chosen: Story[], faults: boolean): Promise<EngineReport> {
  const started = Date.now();
  const report: EngineReport = { engine: engine.name, version: '-', backgroundSync: '-', passed: 0, failed: 0, seconds: 0 };
  const missing = engine.missing();
  if (missing) {
    const count = chosen.length + (faults ? 1 : 0);
    console.error(`\n✗✗ ${engine.name} CANNOT RUN HERE: ${missing}. Its ${count} stories count as failed.`);
    return { ...report, failed: count };
  }
  const run = await engine.start();
  try {
    if (chosen.length > 0) await runStories(engine, run, chosen, report);
    if (faults) {
      const faultsStarted = Date.now();
      const name = `${faultStory} the seeded fault schedule (seed ${faultSchedule.seed}, ${faultSchedule.steps} steps): nothing lost, doubled or out of order; every tab equal to the server`;
      try {
        record(report, name, faultsStarted, { detail: await runFaults(engine, run) });
      } catch (error) {
        record(report, name, faultsStarted, { error });
      }
    }
  } finally {
    await run.stop();
  }
  return { ...report, seconds: (Date.now() - started) / 1000 };
}

async function main(): Promise<void> {
  const chosenEngines = picked(engines, 'ENGINES', (engine) => engine.name);
  const wanted = process.env.STORIES?.split(',').map((value) => value.trim()).filter(Boolean);
  const faults = !wanted?.length || wanted.includes(faultStory);
  // STORIES=11 alone runs the fault schedule and no story.
  const chosenStories = wanted?.length && wanted.every((number) => number === faultStory) ? [] : picked(stories, 'STORIES', (story) => story.name.split(' ')[0]!);
  const reports: EngineReport[] = [];
  for (const engine of chosenEngines) {
    const engineFaults = faults && faultEngines.has(engine.name);
    if (chosenStories.length === 0 && !engineFaults) continue;
    console.log(`\n${engine.name}:`);
    reports.push(await runEngine(engine, chosenStories, engineFaults));
  }
  console.log('\nengine     version          background sync  passed  failed  time');
  for (const r of reports) {
    console.log(`${r.engine.padEnd(10)} ${r.version.padEnd(16)} ${r.backgroundSync.padEnd(15)}  ${String(r.passed).padStart(6)}  ${String(r.failed).padStart(6)}  ${r.seconds.toFixed(1)} s`);
  }
  const passed = reports.reduce((sum, r) => sum + r.passed, 0);
  const failed = reports.reduce((sum, r) => sum + r.failed, 0);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

await main();

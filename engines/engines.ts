// The three engines: how each is launched, and what it needs on this machine to run at all.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { systemChromium } from '../e2e/browser';
import { launchChromium } from './chromium';
import type { EngineBrowser, EngineName, LaunchOptions } from './driver';
import { firefoxPath, launchFirefox } from './firefox';
import { browserScript, startWebKitHost, webkitDriverPath } from './webkit';

/** What an engine needs for a run (a display, a driver), started once before its stories. */
export interface EngineRun {
  launch(options: LaunchOptions): Promise<EngineBrowser>;
  stop(): Promise<void>;
}

export interface Engine {
  name: EngineName;
  /** Why the engine cannot run here (what is missing), or null when it can. */
  missing(): string | null;
  start(): Promise<EngineRun>;
}

/** The first of `paths` that is not on this machine, said as what to install. */
function absent(paths: [path: string, install: string][]): string | null {
  const gone = paths.find(([path]) => !existsSync(path));
  return gone ? `${gone[0]} is missing (${gone[1]})` : null;
}

function playwrightChromium(): boolean {
  try {
    return existsSync(chromium.executablePath());
  } catch {
    return false;
  }
}

/** The WebKitGTK bindings the WebKit browser script is written with. */
function webkitBindings(): string | null {
  try {
    execFileSync('/usr/bin/python3', ['-c', "import gi; gi.require_version('WebKit2', '4.1')"], { stdio: 'pipe' });
    return null;
  } catch {
    return `${browserScript} cannot load WebKitGTK (apt-get install python3-gi gir1.2-webkit2-4.1)`;
  }
}

export const engines: Engine[] = [
  {
    name: 'chromium',
    missing: () => (existsSync(systemChromium) || playwrightChromium() ? null : `no Chromium at ${systemChromium} nor Playwright's own (apt-get install chromium)`),
    start: async () => ({ launch: launchChromium, stop: async () => undefined }),
  },
  {
    name: 'firefox',
    missing: () => absent([[firefoxPath, 'apt-get install firefox-esr']]),
    start: async () => ({ launch: launchFirefox, stop: async () => undefined }),
  },
  {
    name: 'webkit',
    missing: () =>
      absent([
        [webkitDriverPath, 'apt-get install webkit2gtk-driver'],
        ['/usr/bin/Xvfb', 'apt-get install xvfb'],
      ]) ?? webkitBindings(),
    start: startWebKitHost,
  },
];

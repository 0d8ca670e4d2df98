// Makes sure a Chromium is there for the browser tests: Debian's (installed with apt when
// missing and we are root), or one Playwright downloaded on a machine that can.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { chromium } from '@playwright/test';

const system = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function playwrightBrowser() {
  try {
    const path = chromium.executablePath();
    return existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

if (existsSync(system)) {
  console.log(`chromium: ${system}`);
} else if (playwrightBrowser()) {
  console.log(`chromium: Playwright's own, ${playwrightBrowser()}`);
} else if (process.getuid?.() === 0) {
  console.log('chromium: not found, installing Debian chromium with apt-get');
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', { stdio: 'inherit' });
  if (!existsSync(system)) throw new Error(`apt-get installed chromium, but ${system} is missing`);
} else {
  console.error('chromium: none found. Install it (apt-get install chromium) or run `npx playwright install chromium`.');
  process.exit(1);
}

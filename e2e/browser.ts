import { existsSync } from 'node:fs';
import type { LaunchOptions } from '@playwright/test';

/** Debian's Chromium, where Playwright's own browser cannot be downloaded. */
export const systemChromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that keep Chromium off the network it cannot reach here, and quiet in a container. */
const quietFlags = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

/** Launch options: the system Chromium when there is one, else Playwright's own browser. */
export function chromiumLaunchOptions(): LaunchOptions {
  if (!existsSync(systemChromium)) return { args: quietFlags };
  return { executablePath: systemChromium, args: quietFlags };
}

// Makes sure Firefox and WebKit are there for the cross-engine stories (Chromium is
// ensure-chromium.mjs's): Debian's packages, installed with apt when missing and we are root.
// An engine it cannot get is named with the reason; the stories' runner then fails that
// engine's stories out loud, so nothing passes silently.
import { existsSync } from 'node:fs';
import { execFileSync, execSync } from 'node:child_process';

/** Loads the WebKitGTK bindings the WebKit browser script (engines/webkit-browser.py) uses. */
function webkitBindings() {
  try {
    execFileSync('/usr/bin/python3', ['-c', "import gi; gi.require_version('WebKit2', '4.1')"], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

const engines = [
  {
    name: 'firefox',
    packages: ['firefox-esr'],
    present: () => existsSync(process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr'),
    version: () => execFileSync(process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr', ['--version'], { encoding: 'utf8' }).trim(),
  },
  {
    name: 'webkit',
    packages: ['webkit2gtk-driver', 'xvfb', 'python3-gi', 'gir1.2-webkit2-4.1'],
    present: () => existsSync(process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver') && existsSync('/usr/bin/Xvfb') && webkitBindings(),
    version: () => `WebKitGTK ${execFileSync('/usr/bin/python3', ['-c', "import gi; gi.require_version('WebKit2', '4.1'); from gi.repository import WebKit2 as W; print(f'{W.get_major_version()}.{W.get_minor_version()}.{W.get_micro_version()}')"], { encoding: 'utf8' }).trim()}`,
  },
];

const missing = engines.filter((engine) => !engine.present());
const problems = new Map();
if (missing.length > 0 && process.getuid?.() !== 0) {
  for (const engine of missing) problems.set(engine.name, `not installed, and only root can apt-get install ${engine.packages.join(' ')}`);
} else if (missing.length > 0) {
  console.log(`engines: installing ${missing.map((engine) => engine.name).join(', ')} with apt-get`);
  execSync('apt-get update -qq', { stdio: 'inherit' });
  // One engine at a time, so a package that cannot be had costs only its own engine.
  for (const engine of missing) {
    try {
      execSync(`DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${engine.packages.join(' ')}`, { stdio: ['ignore', 'ignore', 'pipe'] });
      if (!engine.present()) problems.set(engine.name, `apt-get installed ${engine.packages.join(' ')}, but it still cannot be found`);
    } catch (error) {
      const said = String(error.stderr ?? error.message).trim().split('\n').slice(-3).join(' / ');
      problems.set(engine.name, `apt-get install ${engine.packages.join(' ')} failed: ${said}`);
    }
  }
}

for (const engine of engines) {
  if (problems.has(engine.name)) console.error(`engines: ✗ ${engine.name} CANNOT RUN: ${problems.get(engine.name)}`);
  else console.log(`engines: ${engine.name}: ${engine.version()}`);
}

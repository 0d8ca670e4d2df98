// Builds every artefact: the drop-in worker and page script, the ES module entry points, the server
// kit (ES modules and CommonJS) with their types, and the demo (its app and its own worker, which
// uses sw-outbox as a library). `node scripts/build.mjs <target…>` builds only those targets;
// `package` is what the published package holds (what `npm pack` builds first, see `prepack`).
import { build } from 'vite';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { finishTypes } from './package/types.mjs';

/** What `npm pack` ships, in build order (the ES server build clears dist/server, the CommonJS one adds to it). */
const packaged = ['worker', 'dropin', 'lib', 'server', 'server-cjs', 'types'];
const everything = [...packaged, 'demo-worker', 'demo', 'plain'];

const asked = process.argv.slice(2).flatMap((name) => (name === 'package' ? packaged : [name]));
const targets = asked.length > 0 ? asked : everything;

if (asked.length === 0) rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

/** The plain jQuery page needs no build: its files and jQuery are copied as they are. */
function copyPlainApp() {
  const out = new URL('../dist/plain/', import.meta.url);
  mkdirSync(out, { recursive: true });
  cpSync(new URL('../demo/plain/', import.meta.url), out, { recursive: true });
  cpSync(new URL('../node_modules/jquery/dist/jquery.min.js', import.meta.url), new URL('jquery.min.js', out));
}

/** The declarations of every entry point, emitted afresh (a stale one would be shipped), then finished. */
function buildTypes() {
  const typesDir = new URL('../dist/types', import.meta.url);
  rmSync(typesDir, { recursive: true, force: true });
  execFileSync('npx', ['tsc', '-p', 'tsconfig.types.json'], { stdio: 'inherit' });
  finishTypes(typesDir.pathname);
}

for (const mode of targets) {
  const started = Date.now();
  if (mode === 'plain') copyPlainApp();
  else if (mode === 'types') buildTypes();
  else await build({ configFile: new URL('../vite.config.ts', import.meta.url).pathname, mode, logLevel: 'warn' });
  console.log(`built ${mode} in ${Date.now() - started} ms`);
}

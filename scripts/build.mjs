// Builds every artefact: the drop-in worker and page script, the ES module entry points with
// their types, and the demo (its app and its own worker, which uses sw-outbox as a library).
import { build } from 'vite';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';

const only = process.argv.slice(2);
const targets = only.length > 0 ? only : ['worker', 'dropin', 'lib', 'server', 'demo-worker', 'demo', 'plain'];

if (only.length === 0) rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
/** The plain jQuery page needs no build: its files and jQuery are copied as they are. */
function copyPlainApp() {
  const out = new URL('../dist/plain/', import.meta.url);
  mkdirSync(out, { recursive: true });
  cpSync(new URL('../demo/plain/', import.meta.url), out, { recursive: true });
  cpSync(new URL('../node_modules/jquery/dist/jquery.min.js', import.meta.url), new URL('jquery.min.js', out));
}

for (const mode of targets) {
  const started = Date.now();
  if (mode === 'plain') {
    copyPlainApp();
    console.log('copied plain');
    continue;
  }
  await build({ configFile: new URL('../vite.config.ts', import.meta.url).pathname, mode, logLevel: 'warn' });
  console.log(`built ${mode} in ${Date.now() - started} ms`);
}
if (only.length === 0 || only.includes('lib')) {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.types.json'], { stdio: 'inherit' });
  console.log('built types');
}

// Builds every artefact: the drop-in worker and page script, the ES module entry points with
// their types, and the demo (its app and its own worker, which uses sw-outbox as a library).
import { build } from 'vite';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const only = process.argv.slice(2);
const targets = only.length > 0 ? only : ['worker', 'dropin', 'lib', 'demo-worker', 'demo'];

if (only.length === 0) rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
for (const mode of targets) {
  const started = Date.now();
  await build({ configFile: new URL('../vite.config.ts', import.meta.url).pathname, mode, logLevel: 'warn' });
  console.log(`built ${mode} in ${Date.now() - started} ms`);
}
if (only.length === 0 || only.includes('lib')) {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.types.json'], { stdio: 'inherit' });
  console.log('built types');
}

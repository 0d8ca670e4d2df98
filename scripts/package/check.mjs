// npm run test:package: the package as a newcomer gets it. Packs it (`prepack` builds what it
// ships), then: publint and arethetypeswrong on the tarball, size budgets, and a fresh app outside
// the repository that installs the tarball as the README says and uses it (app.mjs).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkApp } from './app.mjs';
import { checkSizes } from './sizes.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const bin = (name) => path.join(root, 'node_modules/.bin', name);
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const problems = [];

/** Runs a checker; its output is shown, and a failure is one problem more. */
function check(label, command, args) {
  try {
    execFileSync(command, args, { cwd: root, stdio: 'inherit' });
  } catch {
    problems.push(`${label} failed (output above)`);
  }
}

const packDir = mkdtempSync(path.join(tmpdir(), 'sw-outbox-pack-'));
try {
  const output = execFileSync('npm', ['pack', '--json', '--pack-destination', packDir], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  // The `prepack` build prints to the same stdout, before npm's JSON.
  const [packed] = JSON.parse(output.slice(output.search(/^\[$/m)));
  const tarball = path.join(packDir, packed.filename);
  console.log(`packed ${packed.filename}: ${(packed.size / 1024).toFixed(1)} KiB, ${(packed.unpackedSize / 1024).toFixed(1)} KiB unpacked, ${packed.entryCount} files`);
  const shipped = packed.files.map((file) => file.path);
  const stray = shipped.filter((file) => !/^(package\.json|README\.md|LICENSE|dist\/(esm|server|types)\/.+|dist\/outbox(-sw)?\.js(\.map)?)$/.test(file));
  if (stray.length > 0) problems.push(`the tarball holds files no user imports: ${stray.join(', ')}`);

  check('publint', bin('publint'), ['run', tarball, '--strict']);
  // The drop-in's two files are classic scripts served to browsers, not modules: no types to check.
  const notModules = ['./outbox-sw.js', './outbox.js'];
  const serverEntries = Object.keys(manifest.exports).filter((entry) => entry.startsWith('./server'));
  // The server kit is ES modules and CommonJS: held to every resolution, the strictest profile.
  check('attw (server entries)', bin('attw'), [tarball, '--entrypoints', ...serverEntries, '--profile', 'strict']);
  // The others are ES modules only (browser code, a Vite plugin, a Playwright kit): a `require` of them
  // is Node 20.19+'s require(esm), which attw's esm-only profile leaves aside; everything else holds.
  check('attw (all entries)', bin('attw'), [tarball, '--exclude-entrypoints', ...notModules, '--profile', 'esm-only']);

  const sizes = checkSizes(root, manifest.exports);
  console.table(sizes.rows);
  problems.push(...sizes.problems);

  problems.push(...checkApp(tarball, path.join(root, 'README.md')));
} finally {
  rmSync(packDir, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(`\nThe package has ${problems.length} problem(s):\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log('\nThe package: publint and attw clean, within its size budgets, installed and used as the README says.');

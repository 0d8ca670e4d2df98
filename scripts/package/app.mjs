// A newcomer's app, made outside the repository: it installs the packed tarball with exactly what
// the README's install section lists, typechecks the README's snippets (skipLibCheck: false) under
// `bundler` and `nodenext`, loads the server entries with `require`, and builds with the Vite plugin.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { snippetsOf } from './snippets.mjs';

const here = path.dirname(new URL(import.meta.url).pathname);

/** The packages of the README's install section (```sh under "## Install"), split into dependencies and dev ones. */
export function installListOf(readme) {
  const section = readFileSync(readme, 'utf8').split(/^## Install$/m)[1]?.split(/^## /m)[0] ?? '';
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error(`${readme}: no \`\`\`sh block under "## Install"`);
  const list = { dependencies: [], devDependencies: [] };
  for (const command of block.split('\n').flatMap((line) => line.replace(/#.*$/, '').split('&&'))) {
    const words = command.trim().split(/\s+/);
    if (words[0] !== 'npm' || words[1] !== 'install') continue;
    const dev = words.includes('-D') || words.includes('--save-dev');
    list[dev ? 'devDependencies' : 'dependencies'].push(...words.slice(2).filter((word) => !word.startsWith('-')));
  }
  return list;
}

function run(command, args, cwd) {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
}

/** What each environment compiles with, and the stand-ins for the app's own code it may call. */
const environments = {
  page: { lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [], placeholders: 'page.d.ts' },
  worker: { lib: ['ES2022', 'WebWorker'], types: [], placeholders: 'none.d.ts' },
  node: { lib: ['ES2022'], types: ['node'], placeholders: 'node.d.ts' },
  playwright: { lib: ['ES2022', 'DOM'], types: ['node'], placeholders: 'none.d.ts' },
};

/** A CommonJS file (compiled with `require`) that uses the server entries: their `.d.cts` types. */
const commonJsSnippet = `import { exactlyOnce, memoryStore } from 'sw-outbox/server';
import { expressExactlyOnce } from 'sw-outbox/server/express';
import { nodeHandler } from 'sw-outbox/server/node';
const store = memoryStore();
export const handler = nodeHandler(exactlyOnce(async () => new Response('ok'), { store }));
export const middleware = expressExactlyOnce({ store });
`;

/** Typechecks every snippet in its environment under both resolutions; returns the failures. */
function typecheck(app, snippets) {
  const failures = [];
  for (const [environment, settings] of Object.entries(environments)) {
    const mine = snippets.filter((snippet) => snippet.environment === environment);
    if (mine.length === 0) continue;
    const dir = path.join(app, 'snippets', environment);
    mkdirSync(dir, { recursive: true });
    copyFileSync(path.join(here, 'placeholders', settings.placeholders), path.join(dir, 'placeholders.d.ts'));
    // `export {}` makes each snippet a module, so two snippets may both declare `outbox`.
    for (const snippet of mine) writeFileSync(path.join(dir, `${snippet.name}.ts`), `${snippet.code}\nexport {};\n`);
    if (environment === 'node') writeFileSync(path.join(dir, 'commonjs.cts'), commonJsSnippet);
    for (const [resolution, module] of [['bundler', 'ESNext'], ['nodenext', 'NodeNext']]) {
      const files = mine.map((snippet) => `${snippet.name}.ts`).concat('placeholders.d.ts', environment === 'node' && resolution === 'nodenext' ? ['commonjs.cts'] : []);
      const config = { compilerOptions: { strict: true, noEmit: true, skipLibCheck: false, target: 'ES2022', module, moduleResolution: resolution, lib: settings.lib, types: settings.types }, files };
      writeFileSync(path.join(dir, `tsconfig.${resolution}.json`), JSON.stringify(config, null, 2));
      try {
        run(path.join(app, 'node_modules/.bin/tsc'), ['-p', `tsconfig.${resolution}.json`], dir);
      } catch (error) {
        failures.push(`${environment} snippets under ${resolution}:\n${error.stdout}${error.stderr}`);
      }
    }
  }
  return failures;
}

/** Requires every server entry from CommonJS and serves one keyed write twice with Express: the second is a replay. */
const requireCheck = `const assert = require('node:assert');
for (const entry of ['', '/pg', '/pglite', '/node', '/express', '/fastify', '/hono']) require('sw-outbox/server' + entry);
const express = require('express');
const { memoryStore } = require('sw-outbox/server');
const { expressExactlyOnce } = require('sw-outbox/server/express');
const app = express();
app.use(expressExactlyOnce({ store: memoryStore() }));
app.use(express.json());
let applied = 0;
app.post('/todos', (req, res) => { applied += 1; res.status(201).json({ title: req.body.title }); });
const server = app.listen(0, '127.0.0.1', async () => {
  const post = () => fetch('http://127.0.0.1:' + server.address().port + '/todos', { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': '"k"' }, body: '{"title":"milk"}' });
  const first = await post();
  const again = await post();
  assert.deepStrictEqual([first.status, again.status, again.headers.get('idempotent-replayed'), await again.json(), applied], [201, 201, 'true', { title: 'milk' }, 1]);
  server.close();
  console.log('require: every server entry loads; Express (CommonJS) replays a keyed write');
});
`;

/** Builds a one-page app with the README's vite.config.js; the drop-in must be emitted and tagged. */
function viteBuild(app, readme) {
  const config = /```js\n(\/\/ vite\.config\.js[\s\S]*?)```/.exec(readFileSync(readme, 'utf8'))?.[1];
  if (config === undefined) throw new Error(`${readme}: no \`\`\`js block starting with // vite.config.js`);
  writeFileSync(path.join(app, 'vite.config.js'), config);
  writeFileSync(path.join(app, 'index.html'), '<!doctype html><html><head><title>app</title></head><body><script type="module" src="/main.js"></script></body></html>\n');
  writeFileSync(path.join(app, 'main.js'), "document.body.append('hello');\n");
  run(path.join(app, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], app);
  const problems = [];
  for (const file of ['outbox-sw.js', 'outbox.js']) if (!existsSync(path.join(app, 'dist', file))) problems.push(`vite build did not emit ${file}`);
  if (!/<script[^>]+src="\/outbox\.js"/.test(readFileSync(path.join(app, 'dist/index.html'), 'utf8'))) problems.push('vite build did not put the drop-in tag in index.html');
  return problems;
}

/** Runs the whole check; returns what went wrong (empty: all well). KEEP_APP=1 keeps the app to look at. */
export function checkApp(tarball, readme) {
  const app = mkdtempSync(path.join(tmpdir(), 'sw-outbox-newcomer-'));
  try {
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'newcomer-app', private: true, type: 'module' }, null, 2));
    const list = installListOf(readme);
    const started = Date.now();
    const local = (name) => (name === 'sw-outbox' ? tarball : name);
    const flags = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];
    run('npm', ['install', ...flags, ...list.dependencies.map(local)], app);
    run('npm', ['install', '-D', ...flags, ...list.devDependencies.map(local)], app);
    console.log(`installed ${[...list.dependencies, ...list.devDependencies].join(' ')} in ${Date.now() - started} ms (${app})`);
    const installed = (name) => existsSync(path.join(app, 'node_modules', name, 'package.json'));
    const { snippets, skipped } = snippetsOf(readme, installed);
    for (const skip of skipped) console.log(`README line ${skip.line}: not typechecked, it ${skip.reason}`);
    const problems = typecheck(app, snippets);
    console.log(`typechecked ${snippets.length} README snippets under bundler and nodenext (skipLibCheck: false)`);
    writeFileSync(path.join(app, 'require-check.cjs'), requireCheck);
    try {
      console.log(run(process.execPath, ['require-check.cjs'], app).trim());
    } catch (error) {
      problems.push(`CommonJS: ${error.stdout}${error.stderr}`);
    }
    problems.push(...viteBuild(app, readme));
    if (problems.length === 0) console.log('vite build with sw-outbox/vite: the drop-in emitted and tagged');
    return problems;
  } finally {
    if (process.env.KEEP_APP !== '1') rmSync(app, { recursive: true, force: true });
  }
}

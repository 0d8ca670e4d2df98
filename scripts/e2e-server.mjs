// The demo server as the browser tests use it: test hooks on, a fresh database every run.
import { rmSync } from 'node:fs';
import { spawn } from 'node:child_process';

const dataDir = process.env.DATA_DIR ?? '.data/e2e';
rmSync(dataDir, { recursive: true, force: true });
// e2e/pages holds plain pages that use the drop-in, next to the demo app. The same server under
// a second origin (localhost) is what the tests' cross-origin requests go to: the CSP lets them.
const env = { ...process.env, DATA_DIR: dataDir, STATIC_DIRS: 'dist/demo:dist:e2e/pages', CONNECT_SOURCES: `http://localhost:${process.env.PORT}` };
const child = spawn('npx', ['tsx', 'demo/server/main.ts'], { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));

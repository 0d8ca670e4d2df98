import path from 'node:path';
import { startServer } from './server';
import type { RunningServer, ServerOptions } from './server';

function readNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

function optionsFromEnv(env: NodeJS.ProcessEnv): ServerOptions {
  const staticDirs = (env.STATIC_DIRS ?? 'dist/demo:dist').split(':').filter((dir) => dir !== '');
  return {
    port: readNumber(env, 'PORT', 8080),
    host: env.HOST || '127.0.0.1',
    dataDir: path.resolve(env.DATA_DIR || '.data/demo'),
    testHooks: env.OUTBOX_TEST_HOOKS === '1',
    staticDirs,
    connectSources: (env.CONNECT_SOURCES ?? '').split(' ').filter((source) => source !== ''),
    latencyMs: readNumber(env, 'LATENCY_MS', 0),
  };
}

function closeOnSignals(server: RunningServer): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    // A second signal means the user is done waiting.
    if (stopping) process.exit(1);
    stopping = true;
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`sw-outbox demo: error while stopping on ${signal}:`, error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function main(): Promise<void> {
  const server = await startServer(optionsFromEnv(process.env));
  closeOnSignals(server);
  console.log(`sw-outbox demo: ${server.url}`);
}

main().catch((error: unknown) => {
  console.error('sw-outbox demo: failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});

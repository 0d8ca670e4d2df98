import { defineConfig, type UserConfig } from 'vite';
import { resolve } from 'node:path';

const root = import.meta.dirname;
const dist = resolve(root, 'dist');

// Workbox code reads process.env.NODE_ENV; left in a worker bundle it throws at registration.
const production = { 'process.env.NODE_ENV': JSON.stringify('production') };

/**
 * A self-contained classic script (a worker or the drop-in page script). Minified, so it keeps its
 * source map, which carries its sources inside (`sourcesContent`): the map needs nothing else shipped.
 */
function classicScript(entry: string, fileName: string, outDir = dist): UserConfig {
  return {
    define: production,
    publicDir: false,
    build: {
      outDir,
      emptyOutDir: false,
      sourcemap: true,
      minify: true,
      lib: { entry: resolve(root, entry), formats: ['iife'], name: 'swOutbox', fileName: () => fileName },
    },
  };
}

/** The entry points of `sw-outbox/server`: `server/<name>.ts` is `sw-outbox/server/<name>` (`index` is the kit itself). */
const serverEntries = ['index', 'pg', 'pglite', 'node', 'express', 'fastify', 'hono'];

/**
 * `sw-outbox/server` for Node in one module format, into `dist/server` (`.js` ES modules, `.cjs`
 * CommonJS: the package is `"type": "module"`, so the extension says which). Built-ins, drivers and
 * frameworks stay imports. No source maps, as for the ES entry points.
 */
function serverBuild(format: 'es' | 'cjs'): UserConfig {
  const extension = format === 'es' ? 'js' : 'cjs';
  return {
    publicDir: false,
    build: {
      outDir: resolve(dist, 'server'),
      // The ES build runs first and clears the folder; the CommonJS one adds to it.
      emptyOutDir: format === 'es',
      sourcemap: false,
      minify: false,
      target: 'node20',
      lib: {
        entry: Object.fromEntries(serverEntries.map((name) => [name, resolve(root, `server/${name}.ts`)])),
        formats: [format],
      },
      rolldownOptions: {
        external: [/^node:/, 'pg', /^@electric-sql\/pglite/, 'express', 'fastify', /^hono(\/|$)/],
        output: { entryFileNames: `[name].${extension}`, chunkFileNames: `[name]-[hash].${extension}` },
      },
    },
  };
}

/** One build per target; `scripts/build.mjs` runs them in turn. */
const targets: Record<string, UserConfig> = {
  worker: classicScript('sw/outbox-sw.ts', 'outbox-sw.js'),
  dropin: classicScript('client/dropin.ts', 'outbox.js'),
  // ES module entry points for `sw-outbox/sw`, `/client`, `/react`, `/ui`, `/testing` and `/vite`; dependencies stay imports.
  // No source maps: this code is not minified, and the user's own bundler maps what it makes of it.
  lib: {
    define: production,
    publicDir: false,
    build: {
      outDir: resolve(dist, 'esm'),
      emptyOutDir: true,
      sourcemap: false,
      minify: false,
      lib: {
        entry: { sw: resolve(root, 'sw/index.ts'), client: resolve(root, 'client/index.ts'), react: resolve(root, 'client/react.ts'), ui: resolve(root, 'ui/index.ts'), testing: resolve(root, 'testing/index.ts'), vite: resolve(root, 'vite-plugin/index.ts') },
        formats: ['es'],
      },
      // `testing` (Playwright) and `vite` (the plugin) run in Node: their tools and built-ins stay imports too.
      rolldownOptions: { external: [/^workbox-/, 'idb', 'comlink', 'react', '@playwright/test', 'vite', /^node:/] },
    },
  },
  // sw-outbox/server, its stores and adapters, for Node, as ES modules (`import`)...
  server: serverBuild('es'),
  // ...and as CommonJS (`require`), for the many Express apps that are CommonJS.
  'server-cjs': serverBuild('cjs'),
  'demo-worker': classicScript('demo/app/demo-sw.ts', 'demo-sw.js', resolve(dist, 'demo')),
  // The benchmark's other contenders (`npm run bench` builds them).
  'bench-workbox': classicScript('bench/workers/workbox-sw.ts', 'workbox-sw.js', resolve(dist, 'bench')),
  'bench-pass': classicScript('bench/workers/pass-sw.ts', 'pass-sw.js', resolve(dist, 'bench')),
  'bench-echo': classicScript('bench/workers/echo-sw.ts', 'echo-sw.js', resolve(dist, 'bench')),
  'bench-durable': classicScript('bench/workers/durable-sw.ts', 'durable-sw.js', resolve(dist, 'bench')),
  demo: {
    root: resolve(root, 'demo/app'),
    define: production,
    publicDir: false,
    build: { outDir: resolve(dist, 'demo'), emptyOutDir: false, sourcemap: true },
  },
  test: {
    test: {
      include: ['test/**/*.test.ts'],
      environment: 'node',
      testTimeout: 20_000,
    },
  } as UserConfig,
};

export default defineConfig(({ mode }) => {
  const target = targets[mode];
  if (!target) throw new Error(`vite.config.ts: no build target "${mode}" (one of ${Object.keys(targets).join(', ')})`);
  return target;
});

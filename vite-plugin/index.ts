// sw-outbox/vite: the drop-in in a Vite app. `vite dev` serves the two prebuilt files, `vite
// build` emits them, and index.html gets the drop-in tag with the settings given.
import type { Plugin, ResolvedConfig } from 'vite';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { OutboxSettings } from '../protocol';
import { dropInTag } from './tag';

export { dropInTag, type DropInUrls } from './tag';

/** The drop-in's files as the package exports them, and the name each is served under. */
const files = { 'outbox-sw.js': 'sw-outbox/outbox-sw.js', 'outbox.js': 'sw-outbox/outbox.js' } as const;
const configName = 'outbox.json';

/** Reads a file of the installed sw-outbox (its source map too, when there is one). */
function readDropIn(name: keyof typeof files): { code: string; map: string | null } {
  const path = createRequire(import.meta.url).resolve(files[name]);
  let map: string | null = null;
  try {
    map = readFileSync(`${path}.map`, 'utf8');
  } catch {
    // Maps are a convenience; a package without them still works.
  }
  return { code: readFileSync(path, 'utf8'), map };
}

/**
 * The drop-in for a Vite app: `plugins: [outbox({ routes: ['/api/'] })]`. The files are served
 * (and emitted) at the root of Vite's `base`, so the worker's scope is the whole app.
 */
export function outbox(settings: Partial<OutboxSettings> = {}): Plugin {
  let base = '/';
  const tag = () =>
    dropInTag(settings, { script: `${base}outbox.js`, worker: `${base}outbox-sw.js`, config: `${base}${configName}` });
  // Checked now: a typo in a setting stops `vite` before anything runs.
  tag();
  return {
    name: 'sw-outbox',
    configResolved(config: ResolvedConfig) {
      base = config.base.endsWith('/') ? config.base : `${config.base}/`;
    },
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const path = (request.url ?? '').split('?')[0]!;
        if (!path.startsWith(base)) return next();
        const name = path.slice(base.length);
        const configFile = tag().configFile;
        if (name === configName && configFile !== null) {
          response.setHeader('Content-Type', 'application/json');
          return response.end(configFile);
        }
        const file = name.replace(/\.map$/, '');
        if (!(file in files)) return next();
        const { code, map } = readDropIn(file as keyof typeof files);
        if (name.endsWith('.map') && map === null) return next();
        response.setHeader('Content-Type', name.endsWith('.map') ? 'application/json' : 'text/javascript');
        response.end(name.endsWith('.map') ? map : code);
      });
    },
    generateBundle() {
      for (const name of Object.keys(files) as (keyof typeof files)[]) {
        const { code, map } = readDropIn(name);
        this.emitFile({ type: 'asset', fileName: name, source: code });
        if (map !== null) this.emitFile({ type: 'asset', fileName: `${name}.map`, source: map });
      }
      const configFile = tag().configFile;
      if (configFile !== null) this.emitFile({ type: 'asset', fileName: configName, source: configFile });
    },
    transformIndexHtml: {
      // After Vite's own pass, which would otherwise try to bundle a classic script.
      order: 'post',
      handler: () => [{ tag: 'script', attrs: tag().attributes, injectTo: 'head-prepend' }],
    },
  };
}

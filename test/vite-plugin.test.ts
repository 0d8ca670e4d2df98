// sw-outbox/vite: the tag it writes for a set of settings, and the settings file when a setting
// has no attribute form. (e2e/build-tools/vite.spec.ts runs it in vite dev and vite build.)
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { dropInTag, outbox } from '../vite-plugin';

const urls = { script: '/app/outbox.js', worker: '/app/outbox-sw.js', config: '/app/outbox.json' };

describe('dropInTag', () => {
  it('writes every setting as its kebab-case data- attribute', () => {
    expect(dropInTag({ routes: ['/api/', '/v2/'], selfField: 'href', coalesce: false, maxBodyBytes: 1024 }, urls)).toEqual({
      attributes: { src: '/app/outbox.js', 'data-sw': '/app/outbox-sw.js', 'data-routes': '/api/,/v2/', 'data-self-field': 'href', 'data-coalesce': 'false', 'data-max-body-bytes': '1024' },
      configFile: null,
    });
  });

  it('puts every setting in a JSON file when a route has settings of its own', () => {
    const settings = { routes: ['/api/', { path: '/api/notes/', conflict: 'manual' as const }], maxAttempts: 3 };
    const { attributes, configFile } = dropInTag(settings, urls);
    expect(attributes).toEqual({ src: '/app/outbox.js', 'data-sw': '/app/outbox-sw.js', 'data-config': '/app/outbox.json' });
    expect(JSON.parse(configFile!)).toEqual(settings);
  });

  it('refuses a setting that is wrong, before anything is built', () => {
    expect(() => dropInTag({ conflict: 'theirs' as never }, urls)).toThrow('sw-outbox: conflict must be one of');
    expect(() => outbox({ route: ['/api/'] } as never)).toThrow('sw-outbox: unknown setting(s) route');
  });
});

describe('outbox() in vite build', () => {
  it('emits the settings file and points the tag at it under the app\'s base', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'sw-outbox-vite-'));
    try {
      await build({
        root: 'fixtures/vite-app',
        configFile: false,
        base: '/app/',
        logLevel: 'silent',
        plugins: [outbox({ routes: [{ path: '/api/', coalesce: false }] })],
        build: { outDir, emptyOutDir: true },
      });
      expect(JSON.parse(readFileSync(join(outDir, 'outbox.json'), 'utf8'))).toEqual({ routes: [{ path: '/api/', coalesce: false }] });
      expect(readFileSync(join(outDir, 'index.html'), 'utf8')).toContain('<script src="/app/outbox.js" data-sw="/app/outbox-sw.js" data-config="/app/outbox.json"></script>');
      expect(readFileSync(join(outDir, 'outbox-sw.js'), 'utf8')).toBe(readFileSync('dist/outbox-sw.js', 'utf8'));
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});

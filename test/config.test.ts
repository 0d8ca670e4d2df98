import { describe, expect, it } from 'vitest';
import { resolveConfig, settingsFromScriptUrl } from '../protocol';
import { camelCase, settingsFromDataset } from '../client/settings';

describe('settings', () => {
  it('fills defaults', () => {
    expect(resolveConfig()).toMatchObject({ idField: 'id', concurrency: 6, maxAttempts: 10, maxAgeDays: 7, versioning: 'etag' });
    expect(resolveConfig().routes).toEqual([{ path: '/api/', coalesce: true, conflict: 'merge' }]);
    expect(resolveConfig({ routes: ['/v2/'] }).routes.map((route) => route.path)).toEqual(['/v2/']);
  });

  it('refuses unknown names and bad values loudly', () => {
    expect(() => resolveConfig({ rotues: ['/api/'] } as never)).toThrow(/unknown setting/);
    expect(() => resolveConfig({ concurrency: 0 })).toThrow(/concurrency/);
    expect(() => resolveConfig({ conflict: 'coin-flip' as never })).toThrow(/conflict/);
  });

  it('reads the settings of a drop-in worker from its URL', () => {
    const url = `https://a.test/outbox-sw.js?config=${encodeURIComponent(JSON.stringify({ routes: ['/v1/'], maxAttempts: 3 }))}`;
    expect(resolveConfig(settingsFromScriptUrl(url))).toMatchObject({ routes: [{ path: '/v1/' }], maxAttempts: 3, idField: 'id' });
  });

  it('gives every setting one name: kebab-case attributes become the camelCase names', () => {
    expect(camelCase('self-field')).toBe('selfField');
    // DOMStringMap already camel-cases data-self-field to selfField; values are typed like JSON.
    expect(settingsFromDataset({ sw: '/outbox-sw.js', routes: '/api/, /v2/', selfField: 'url', maxAttempts: '4' })).toEqual({
      routes: ['/api/', '/v2/'], selfField: 'url', maxAttempts: 4,
    });
  });
});

import { describe, expect, it } from 'vitest';
import { realIdOf, remapJson, remapUrl, resourceKey, tempIdsIn, tempResourceUrl } from '../sw/log/resource';
import { resolveConfig } from '../protocol';
import { routeFor } from '../sw/intercept/routes';

describe('resources and temporary ids', () => {
  it('keys a write by origin and path, and a path through a temporary id by that id', () => {
    expect(resourceKey(new URL('http://a.test/api/todos/5?x=1'))).toBe('http://a.test/api/todos/5');
    expect(resourceKey(new URL('http://a.test/api/todos/5/'))).toBe('http://a.test/api/todos/5');
    expect(resourceKey(new URL('http://a.test/api/todos/tmp-1/comments/9'))).toBe('http://a.test/api/todos/tmp-1');
  });

  it('gives a create the URL of its collection plus its temporary id', () => {
    expect(tempResourceUrl(new URL('http://a.test/api/todos/'), 'tmp-1')).toBe('http://a.test/api/todos/tmp-1');
    expect(tempIdsIn(new URL('http://a.test/api/todos/tmp-1/comments/tmp-2'))).toEqual(['tmp-1', 'tmp-2']);
  });

  it('remaps a temporary id in URLs and wherever it stands as a whole JSON value', () => {
    expect(remapUrl('http://a.test/api/todos/tmp-1/comments', 'tmp-1', 42)).toBe('http://a.test/api/todos/42/comments');
    const map = new Map<string, unknown>([['tmp-1', 42], ['http://a.test/api/todos/tmp-1', 'http://a.test/api/todos/42']]);
    expect(remapJson({ todoId: 'tmp-1', note: 'tmp-1 stays in text', refs: ['tmp-1'], self: 'http://a.test/api/todos/tmp-1' }, map)).toEqual({
      todoId: 42, note: 'tmp-1 stays in text', refs: [42], self: 'http://a.test/api/todos/42',
    });
  });

  it('reads the real id from the body, else from Location', () => {
    expect(realIdOf({ id: 7 }, '/api/todos/8', 'id')).toBe(7);
    expect(realIdOf({ name: 'x' }, '/api/todos/8', 'id')).toBe('8');
    expect(realIdOf(null, null, 'id')).toBeNull();
  });
});

describe('routes', () => {
  const self = 'http://a.test';
  it('takes same-origin paths under a route, and other origins only when listed', () => {
    const config = resolveConfig({ routes: ['/api/', 'http://b.test/v1/'] });
    const taken = (url: string, origins: string[] = []) => routeFor(new URL(url), { ...config, origins }, self) !== null;
    expect(taken('http://a.test/api/x')).toBe(true);
    expect(taken('http://a.test/apix')).toBe(false);
    expect(taken('http://c.test/api/x')).toBe(false);
    expect(taken('http://b.test/v1/x')).toBe(false);
    expect(taken('http://b.test/v1/x', ['http://b.test'])).toBe(true);
  });

  it('gives each route its own settings, falling back to the global ones', () => {
    const config = resolveConfig({ coalesce: false, conflict: 'server-wins', routes: [{ path: '/api/counters/', coalesce: true, conflict: 'client-wins' }, '/api/'] });
    expect(routeFor(new URL('http://a.test/api/counters/1'), config, self)).toEqual({ path: '/api/counters/', coalesce: true, conflict: 'client-wins' });
    expect(routeFor(new URL('http://a.test/api/todos/1'), config, self)).toEqual({ path: '/api/', coalesce: false, conflict: 'server-wins' });
  });
});

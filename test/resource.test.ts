import { describe, expect, it } from 'vitest';
import { realIdOf, remapJson, remapUrl, resourceKey, tempIdsIn, tempResourceUrl } from '../sw/resource';
import { isOnRoute } from '../sw/routes';

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
    const config = { routes: ['/api/', 'http://b.test/v1/'], origins: [] as string[] };
    expect(isOnRoute(new URL('http://a.test/api/x'), config, self)).toBe(true);
    expect(isOnRoute(new URL('http://a.test/apix'), config, self)).toBe(false);
    expect(isOnRoute(new URL('http://c.test/api/x'), config, self)).toBe(false);
    expect(isOnRoute(new URL('http://b.test/v1/x'), config, self)).toBe(false);
    expect(isOnRoute(new URL('http://b.test/v1/x'), { ...config, origins: ['http://b.test'] }, self)).toBe(true);
  });
});

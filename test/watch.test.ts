import { describe, expect, it } from 'vitest';
import type { EntrySummary, OutboxEvent } from '../protocol/wire';
import { PathPattern, Watches, type WatchUpdate } from '../client/watch';

const origin = 'http://app.test';
let seq = 0;
const at = () => ({ seq: ++seq, at: Date.now() });
const queued = (id: string, resource: string, method = 'PATCH', tempId: string | null = null): OutboxEvent => ({ type: 'queued', id, method, url: resource, resource, tempId, ...at() });

describe('path patterns a view watches', () => {
  it('matches a resource, or one path segment per *', () => {
    const items = new PathPattern('/api/todos/*', origin);
    expect(items.matches(`${origin}/api/todos/5`)).toBe(true);
    expect(items.matches(`${origin}/api/todos`)).toBe(false);
    expect(items.matches(`${origin}/api/todos/5/notes`)).toBe(false);
    expect(items.matches('http://other.test/api/todos/5')).toBe(false);
    expect(new PathPattern('/api/todos/5', origin).matches(`${origin}/api/todos/5/`)).toBe(true);
  });
});

describe('watching the pending writes of a path', () => {
  it('tells a view what is pending for it now, then each change of its resources only', () => {
    const watches = new Watches(`${origin}/`);
    const updates: WatchUpdate[] = [];
    watches.reset([{ id: 'old', method: 'PATCH', url: `${origin}/api/todos/1`, resource: `${origin}/api/todos/1`, tempId: null, state: 'queued' } as EntrySummary]);
    watches.add('/api/todos/*', (update) => updates.push(update));
    expect(updates[0]).toMatchObject({ change: { type: 'snapshot' }, pending: [{ id: 'old' }] });

    watches.follow(queued('w1', `${origin}/api/todos/2`));
    watches.follow(queued('elsewhere', `${origin}/api/users/2`));
    watches.follow({ type: 'confirmed', id: 'old', resource: `${origin}/api/todos/1`, status: 200, body: { id: 1, title: 'server' }, version: '"2"', live: false, ...at() });
    watches.follow({ type: 'rejected', id: 'w1', resource: `${origin}/api/todos/2`, status: 422, body: null, reason: 'rejected', live: false, lostFields: [], ...at() });
    expect(updates.slice(1).map((update) => [update.change.type, update.pending.map((write) => write.id)])).toEqual([
      ['pending', ['old', 'w1']],
      ['confirmed', ['w1']],
      ['rolled-back', []],
    ]);
    expect(updates[2]!.change).toMatchObject({ body: { id: 1, title: 'server' }, version: '"2"' });
  });

  it("follows a create's temporary URL to its real one, and stops when asked", () => {
    const watches = new Watches(`${origin}/`);
    const updates: WatchUpdate[] = [];
    const stop = watches.add('/api/todos/*', (update) => updates.push(update));
    watches.follow(queued('c1', `${origin}/api/todos/tmp-a`, 'POST', 'tmp-a'));
    watches.follow(queued('p1', `${origin}/api/todos/tmp-a`));
    watches.follow({ type: 'idmap', tempId: 'tmp-a', realId: 7, tempUrl: `${origin}/api/todos/tmp-a`, realUrl: `${origin}/api/todos/7`, ...at() });
    expect(updates.at(-1)).toMatchObject({ change: { type: 'renamed', to: `${origin}/api/todos/7` }, pending: [{ id: 'c1' }, { id: 'p1', resource: `${origin}/api/todos/7` }] });
    stop();
    watches.follow(queued('later', `${origin}/api/todos/8`));
    expect(updates.at(-1)!.change.type).toBe('renamed');
  });
});

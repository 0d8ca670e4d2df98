import { describe, expect, it } from 'vitest';
import { applyMergePatch, composeMergePatches } from '../sw/json/merge-patch';
import { jsonBodyOf } from '../sw/log/entry';
import { createDraft, draft, openTestLog } from './helpers';

describe('JSON merge patch', () => {
  it('applies: null deletes, objects merge, arrays and scalars replace', () => {
    expect(applyMergePatch({ a: 1, b: { c: 1, d: 2 }, e: [1, 2] }, { a: null, b: { d: 3 }, e: [3], f: 'x' })).toEqual({ b: { c: 1, d: 3 }, e: [3], f: 'x' });
    expect(applyMergePatch({ a: 1 }, 'whole')).toBe('whole');
  });

  it('composes two patches into one with the same effect on any document', () => {
    const first = { title: 'a', meta: { x: 1, y: 2 }, gone: 1 };
    const second = { meta: { y: null, z: 3 }, gone: null, done: true };
    const composed = composeMergePatches(first, second);
    expect(composed).toEqual({ title: 'a', meta: { x: 1, y: null, z: 3 }, gone: null, done: true });
    for (const document of [{}, { title: 'old', meta: { y: 9, w: 0 }, gone: 5, keep: true }, { meta: 'scalar' }]) {
      expect(applyMergePatch(document, composed)).toEqual(applyMergePatch(applyMergePatch(document, first), second));
    }
  });
});

describe('coalescing unsent writes of one resource', () => {
  const on = { coalesce: true };
  const body = async (log: Awaited<ReturnType<typeof openTestLog>>) => (await log.entries.all()).map((e) => [e.method, jsonBodyOf(e)]);

  it('merges unsent PATCHes into one, and their ids ride along', async () => {
    const log = await openTestLog();
    const first = await log.entries.append(draft('PATCH', '/api/x', { title: 'a', n: 1 }, on));
    const second = await log.entries.append(draft('PATCH', '/api/x', { n: 2, done: true }, on));
    expect(second.outcome).toBe('merged');
    expect(await body(log)).toEqual([['PATCH', { title: 'a', n: 2, done: true }]]);
    expect((await log.entries.all())[0]!.coalesced).toEqual([second.entry.id]);
    expect(first.entry.id).toBe((await log.entries.all())[0]!.id);
  });

  it('lets a PUT supersede earlier unsent writes, and a PATCH apply over a PUT', async () => {
    const log = await openTestLog();
    await log.entries.append(draft('PATCH', '/api/x', { n: 1 }, on));
    await log.entries.append(draft('PUT', '/api/x', { title: 'whole', n: 5 }, on));
    await log.entries.append(draft('PATCH', '/api/x', { n: null, done: true }, on));
    expect(await body(log)).toEqual([['PUT', { title: 'whole', done: true }]]);
  });

  it('folds edits of a never-sent create into it, and a delete cancels the lot', async () => {
    const log = await openTestLog();
    const resource = { ...on, resource: 'http://app.test/api/todos/tmp-1' };
    await log.entries.append({ ...createDraft('/api/todos', 'tmp-1', { title: 'new' }), coalesce: true });
    await log.entries.append(draft('PATCH', '/api/todos/tmp-1', { done: true }, resource));
    expect(await body(log)).toEqual([['POST', { title: 'new', done: true }]]);
    const deletion = await log.entries.append(draft('DELETE', '/api/todos/tmp-1', undefined, resource));
    expect(deletion.outcome).toBe('cancelled');
    expect(deletion.removed).toHaveLength(1);
    expect(await log.entries.countPending('')).toBe(0);
  });

  it('never touches a write that has been sent, is on the wire, or a route that says no', async () => {
    let onTheWire: string | null = null;
    const log = await openTestLog((id) => id === onTheWire);
    const failed = await log.entries.append(draft('PATCH', '/api/a', { n: 1 }, on));
    await log.entries.put({ ...failed.entry, failures: 1 });
    expect((await log.entries.append(draft('PATCH', '/api/a', { n: 2 }, on))).outcome).toBe('queued');

    const onWire = await log.entries.append(draft('PATCH', '/api/b', { n: 1 }, on));
    onTheWire = onWire.entry.id;
    expect((await log.entries.append(draft('PATCH', '/api/b', { n: 2 }, on))).outcome).toBe('queued');
    onTheWire = null;

    await log.entries.append(draft('PATCH', '/api/c', { n: 1 }));
    expect((await log.entries.append(draft('PATCH', '/api/c', { n: 2 }))).outcome).toBe('queued');

    // A create that may have reached the server is not cancelled by a delete: the delete is sent.
    const create = await log.entries.append({ ...createDraft('/api/todos', 'tmp-2', { title: 'maybe sent' }), coalesce: true });
    await log.entries.put({ ...create.entry, failures: 1 });
    const deletion = await log.entries.append(draft('DELETE', '/api/todos/tmp-2', undefined, { ...on, resource: 'http://app.test/api/todos/tmp-2' }));
    expect(deletion.outcome).toBe('queued');
  });

  it('does not merge a write based on a version of its own choosing', async () => {
    const log = await openTestLog();
    await log.entries.append(draft('PATCH', '/api/x', { n: 1 }, { ...on, requestedBase: '"1"' }));
    expect((await log.entries.append(draft('PATCH', '/api/x', { n: 2 }, { ...on, requestedBase: '"7"' }))).outcome).toBe('queued');
  });
});

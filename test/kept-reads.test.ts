import { describe, expect, it } from 'vitest';
import { isKeepable, keptUrlOf, matchingRead, offlineAnswer, toKeptRead } from '../sw/reads/keeping';
import { confirmedRewrite } from '../sw/reads/write-through';
import { placeInLane } from '../sw/log/chain';
import { ScriptedServer, createDraft, draft, openTestLog, startEngine } from './helpers';

const json = (body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json', ...headers } });
const config = { keptTypes: ['application/json'] };
const read = (url: string, headers: Record<string, string> = {}) => new Request(url, { headers });

describe('what is kept', () => {
  it('keeps a 200 of a kept type, never no-store, never Vary: *, never another type by default', () => {
    expect(isKeepable(json([]), config)).toBe(true);
    expect(isKeepable(json([], { 'Content-Type': 'application/merge-patch+json' }), config)).toBe(true);
    expect(isKeepable(json([], { 'Cache-Control': 'private, no-store' }), config)).toBe(false);
    expect(isKeepable(json([], { 'Cache-Control': 'no-cache' }), config)).toBe(true);
    expect(isKeepable(json([], { Vary: 'Accept, *' }), config)).toBe(false);
    expect(isKeepable(new Response('<p>', { headers: { 'Content-Type': 'text/html' } }), config)).toBe(false);
    expect(isKeepable(new Response('<p>', { headers: { 'Content-Type': 'text/html' } }), { keptTypes: ['text/'] })).toBe(true);
    expect(isKeepable(new Response('{}', { status: 404, headers: { 'Content-Type': 'application/json' } }), config)).toBe(false);
  });

  it('keeps and finds a read without its cache-busting parameters', () => {
    expect(keptUrlOf('http://app.test/api/todos?_=1712&done=1', ['_'])).toBe('http://app.test/api/todos?done=1');
  });

  it('respects Vary, and stores no credential: only a digest of what the answer varies on', async () => {
    const asked = read('http://app.test/api/me', { Authorization: 'Bearer secret-a' });
    const kept = await toKeptRead(asked, asked.url, json({ me: 'a' }, { Vary: 'Authorization', 'Set-Cookie': 'sid=1' }), 'alice', 1000);
    expect(JSON.stringify(kept)).not.toContain('secret-a');
    expect(kept.headers.map(([name]) => name)).not.toContain('set-cookie');
    expect(await matchingRead([kept], read(asked.url, { Authorization: 'Bearer secret-a' }))).toBe(kept);
    expect(await matchingRead([kept], read(asked.url, { Authorization: 'Bearer secret-b' }))).toBeUndefined();
  });

  it('answers a kept read marked offline, with its age', async () => {
    const kept = await toKeptRead(read('http://app.test/api/x'), 'http://app.test/api/x', json({ a: 1 }), '', 1000);
    const answer = offlineAnswer(kept, 61_000);
    expect(answer.headers.get('outbox-status')).toBe('offline');
    expect(answer.headers.get('age')).toBe('60');
    expect(await answer.json()).toEqual({ a: 1 });
  });
});

describe('the kept reads in the log', () => {
  const keep = async (log: Awaited<ReturnType<typeof openTestLog>>, url: string, body: unknown, partition = '', at = Date.now()) =>
    log.kept.keep(await toKeptRead(read(url), url, json(body), partition, at));

  it('evicts the least recently used beyond the byte cap, and never keeps one larger than the cap', async () => {
    const log = await openTestLog(() => false, {}, 120);
    const padding = 'x'.repeat(40);
    await keep(log, 'http://app.test/api/a', { padding }, '', 1);
    await keep(log, 'http://app.test/api/b', { padding }, '', 2);
    await log.kept.touch((await log.kept.of('', 'http://app.test/api/a'))[0]!);
    await keep(log, 'http://app.test/api/c', { padding }, '', 3);
    expect((await log.kept.of('', 'http://app.test/api/b'))).toHaveLength(0);
    expect((await log.kept.of('', 'http://app.test/api/a'))).toHaveLength(1);
    expect((await log.kept.of('', 'http://app.test/api/c'))).toHaveLength(1);
    expect(await log.kept.totalBytes()).toBeLessThanOrEqual(120);
    expect(await keep(log, 'http://app.test/api/huge', { padding: 'y'.repeat(200) })).toBe(false);
  });

  it('keeps partitions apart, and clears one without touching the other', async () => {
    const log = await openTestLog();
    await keep(log, 'http://app.test/api/todos', [{ id: 1 }], 'alice');
    await keep(log, 'http://app.test/api/todos', [{ id: 2 }], 'bob');
    expect(await log.kept.of('carol', 'http://app.test/api/todos')).toEqual([]);
    await log.kept.clearPartition('alice');
    expect(await log.kept.of('alice', 'http://app.test/api/todos')).toEqual([]);
    expect(await log.kept.of('bob', 'http://app.test/api/todos')).toHaveLength(1);
  });

  it('a confirmed write is laid over what was kept: a create by its real id, an edit, a deletion', async () => {
    const log = await openTestLog();
    const collection = 'http://app.test/api/todos';
    await keep(log, collection, [{ id: 1, title: 'one' }, { id: 2, title: 'two' }]);
    await keep(log, `${collection}/2`, { id: 2, title: 'two' });
    const fields = { idField: 'id', selfField: null };
    const created = placeInLane(createDraft('/api/todos', 'tmp-a', { title: 'new' }), undefined, undefined);
    const mapping = { tempId: 'tmp-a', realId: 3, tempUrl: `${collection}/tmp-a`, realUrl: `${collection}/3`, at: 1 };
    await log.kept.rewrite(confirmedRewrite(fields, created, { id: 3, title: 'new' }, mapping));
    await log.kept.rewrite(confirmedRewrite(fields, placeInLane(draft('PATCH', '/api/todos/1', { title: 'one!' }), undefined, undefined), null, null));
    await log.kept.rewrite(confirmedRewrite(fields, placeInLane(draft('DELETE', '/api/todos/2'), undefined, undefined), null, null));
    const [list] = await log.kept.of('', collection);
    expect(JSON.parse(new TextDecoder().decode(list!.body))).toEqual([{ id: 1, title: 'one!' }, { id: 3, title: 'new' }]);
    expect(await log.kept.of('', `${collection}/2`)).toEqual([]);
  });
});

describe('a confirmation and the kept reads', () => {
  it('lays the confirmed write over the kept copy in the transaction that confirms it', async () => {
    const server = new ScriptedServer(() => ({ status: 200, body: { id: 1, title: 'as the server has it' } }));
    const engine = await startEngine(server);
    try {
      const url = 'http://app.test/api/todos/1';
      await engine.log.kept.keep(await toKeptRead(read(url), url, json({ id: 1, title: 'before' }), '', Date.now()));
      await engine.log.entries.append(draft('PATCH', '/api/todos/1', { title: 'mine' }));
      await engine.outbox.scheduler.kick();
      const [kept] = await engine.log.kept.of('', url);
      expect(JSON.parse(new TextDecoder().decode(kept!.body))).toEqual({ id: 1, title: 'as the server has it' });
    } finally {
      engine.close();
    }
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { OutboxSettings } from '../protocol';
import type { StoredEntry } from '../sw/log/entry';
import { needsVerification, verdictOf, whenGone } from '../sw/verify/rule';
import { ScriptedServer, draft, startEngine, tick, type TestEngine } from './helpers';

let current: TestEngine | null = null;
afterEach(() => current?.close());

/** A write as the log holds it, for the rule alone. */
function stored(extra: Partial<StoredEntry> = {}): StoredEntry {
  return { ...draft('PATCH', '/api/todos/1', { title: 'mine' }), baseRepresentation: { id: 1, title: 'seen' }, chained: false, baseVersion: null, coalesced: [], ...extra };
}

describe('when a write is verified', () => {
  it('a replay of a write with a base but no version is read first; a live one only with always', () => {
    expect(needsVerification(stored(), 'waited', false)).toBe(true);
    expect(needsVerification(stored(), 'waited', true)).toBe(false);
    expect(needsVerification(stored(), 'always', true)).toBe(true);
    expect(needsVerification(stored(), 'off', false)).toBe(false);
  });

  it('not when there is a version to send, no base to compare, no versions at all, or it follows the user\'s own write', () => {
    expect(needsVerification(stored({ baseVersion: '"3"' }), 'always', false)).toBe(false);
    expect(needsVerification(stored({ baseRepresentation: null }), 'always', false)).toBe(false);
    expect(needsVerification(stored({ versioned: false }), 'always', false)).toBe(false);
    expect(needsVerification(stored({ chained: true }), 'always', false)).toBe(false);
    expect(needsVerification(stored({ basedOnOwn: true }), 'always', false)).toBe(false);
    expect(needsVerification(stored({ method: 'POST' }), 'always', false)).toBe(false);
  });
});

describe('what a read says of a write\'s base', () => {
  const base = { id: 1, title: 'seen', done: false };

  it('unchanged when the fields a PATCH names are as the user saw them, whatever else changed', () => {
    expect(verdictOf('PATCH', base, { title: 'mine' }, { ...base, done: true })).toEqual({ kind: 'unchanged' });
  });

  it('changed when a field the PATCH names was changed meanwhile', () => {
    expect(verdictOf('PATCH', base, { title: 'mine' }, { ...base, title: 'theirs' })).toEqual({ kind: 'changed', fields: ['title'] });
  });

  it('a PUT or a DELETE is about every field of the base', () => {
    expect(verdictOf('PUT', base, { id: 1, title: 'mine', done: false }, { ...base, done: true })).toEqual({ kind: 'changed', fields: ['done'] });
    expect(verdictOf('DELETE', base, null, { ...base, done: true })).toEqual({ kind: 'changed', fields: ['done'] });
    expect(verdictOf('DELETE', base, null, { done: false, title: 'seen', id: 1 })).toEqual({ kind: 'unchanged' });
  });

  it('bodies that are not JSON objects compare whole', () => {
    expect(verdictOf('PUT', 'text', 'mine', 'text')).toEqual({ kind: 'unchanged' });
    expect(verdictOf('PUT', 'text', 'mine', 'other')).toEqual({ kind: 'changed', fields: [] });
  });

  it('a resource gone: a DELETE has what it asked for, a change has nothing to change', () => {
    expect(whenGone('DELETE')).toBe('confirm');
    expect(whenGone('PATCH')).toBe('reject');
    expect(whenGone('PUT')).toBe('reject');
  });
});

/**
 * The worker's parts against a scripted server whose item answers `read` to a GET and `write` to
 * anything else; the item was learned from a collection read (no version) before the write.
 */
async function verifying(read: () => ReturnType<ConstructorParameters<typeof ScriptedServer>[0]>, write = () => ({ status: 200, body: { id: 1 }, headers: { etag: '"9"' } }), settings: Partial<OutboxSettings> = {}) {
  const server = new ScriptedServer((sent) => (sent.method === 'GET' ? read() : write()));
  current = await startEngine(server, settings);
  await current.log.learned.learnCollection('http://app.test/api/todos', [{ id: 1, title: 'seen', done: false }], 'id', 'etag');
  return { server, ...current };
}

describe('verification before a write that waited', () => {
  it('unchanged: the write goes with If-Match of the version the read taught', async () => {
    const { server, log, outbox } = await verifying(() => ({ status: 200, body: { id: 1, title: 'seen', done: true }, headers: { etag: '"7"' } }));
    await log.entries.append(draft('PATCH', '/api/todos/1', { title: 'mine' }, { conflict: 'merge' }));
    await outbox.scheduler.kick();
    expect(server.sent.map((sent) => [sent.method, sent.headers['if-match']])).toEqual([['GET', undefined], ['PATCH', '"7"']]);
    expect(server.sent[0]!.headers['idempotency-key']).toBeUndefined();
    expect(await log.entries.countPending('')).toBe(0);
  });

  it('changed: never a blind overwrite; merge waits for a person when both changed the field, as a 412 would', async () => {
    const { server, log, outbox, events } = await verifying(() => ({ status: 200, body: { id: 1, title: 'theirs', done: false }, headers: { etag: '"7"' } }));
    const { entry } = await log.entries.append(draft('PATCH', '/api/todos/1', { title: 'mine' }, { conflict: 'merge' }));
    await outbox.scheduler.kick();
    expect(server.sent.map((sent) => sent.method)).toEqual(['GET']);
    await tick();
    expect(events.find((event) => event.type === 'conflict')).toMatchObject({
      id: entry.id, status: 412, waiting: true, base: { title: 'seen' }, local: { title: 'mine' }, server: { title: 'theirs' }, overlapping: ['title'],
    });
    expect(await log.entries.get(entry.id)).toMatchObject({ state: 'conflict', baseVersion: '"7"' });
  });

  it('changed elsewhere than the write: merge sends it against the version read', async () => {
    const { server, log, outbox } = await verifying(() => ({ status: 200, body: { id: 1, title: 'seen', done: true }, headers: { etag: '"7"' } }));
    await log.entries.append(draft('PUT', '/api/todos/1', { id: 1, title: 'mine', done: false }, { conflict: 'merge' }));
    await outbox.scheduler.kick();
    expect(server.sent.map((sent) => [sent.method, sent.headers['if-match'], sent.body])).toEqual([
      ['GET', undefined, ''],
      ['PUT', '"7"', JSON.stringify({ id: 1, title: 'mine', done: true })],
    ]);
  });

  it('changed, with server-wins: the change is dropped and said to be; nothing is sent', async () => {
    const { server, log, outbox, events } = await verifying(() => ({ status: 200, body: { id: 1, title: 'theirs', done: false }, headers: { etag: '"7"' } }));
    const { entry } = await log.entries.append(draft('PATCH', '/api/todos/1', { title: 'mine' }, { conflict: 'server-wins' }));
    await outbox.scheduler.kick();
    await tick();
    expect(server.sent.map((sent) => sent.method)).toEqual(['GET']);
    expect(events.find((event) => event.type === 'conflict')).toMatchObject({ id: entry.id, dropped: true, lostFields: ['title'] });
  });

  it('a server with no validator: an unchanged write goes as it is', async () => {
    const { server, log, outbox } = await verifying(() => ({ status: 200, body: { id: 1, title: 'seen', done: false } }));
    await log.entries.append(draft('PATCH', '/api/todos/1', { title: 'mine' }));
    await outbox.scheduler.kick();
    expect(server.sent.map((sent) => [sent.method, sent.headers['if-match']])).toEqual([['GET', undefined], ['PATCH', undefined]]);
  });

  it('chained writes of one lane are read once, at the lane head, and then go on the versions answers bring', async () => {
    let version = 7;
    const { server, log, outbox } = await verifying(
      () => ({ status: 200, body: { id: 1, title: 'seen', done: false }, headers: { etag: '"7"' } }),
      () => ({ status: 200, body: { id: 1 }, headers: { etag: `"${++version}"` } }),
    );
    for (const title of ['a', 'b', 'c']) await log.entries.append(draft('PATCH', '/api/todos/1', { title }));
    await outbox.scheduler.kick();
    expect(server.sent.map((sent) => [sent.method, sent.headers['if-match']])).toEqual([['GET', undefined], ['PATCH', '"7"'], ['PATCH', '"8"'], ['PATCH', '"9"']]);
  });

  it('404: a PATCH is refused (dead-lettered with the read\'s answer); a DELETE is done without being sent', async () => {
    const { server, log, outbox, events } = await verifying(() => ({ status: 404, body: { title: 'Not found' } }));
    const { entry: patch } = await log.entries.append(draft('PATCH', '/api/todos/1', { title: 'mine' }));
    await outbox.scheduler.kick();
    expect(await log.entries.get(patch.id)).toMatchObject({ state: 'dead', reason: 'rejected', lastStatus: 404 });
    await tick();
    expect(events.find((event) => event.type === 'rejected')).toMatchObject({ id: patch.id, status: 404, body: { title: 'Not found' } });
    await log.entries.remove(patch.id);
    const { entry: removal } = await log.entries.append(draft('DELETE', '/api/todos/1'));
    await outbox.scheduler.kick();
    await tick();
    expect(server.sent.map((sent) => sent.method)).toEqual(['GET', 'GET']);
    expect(events.find((event) => event.type === 'confirmed' && event.id === removal.id)).toBeTruthy();
    expect(await log.entries.countPending('')).toBe(0);
  });

  it('a read that fails (network, 5xx) leaves the write queued for a retry, unsent', async () => {
    // The worker also retries on its own timer (a backoff of up to 0.5 s after the first failure),
    // so the reads are counted as the server answers them: each 5xx read is one attempt.
    let answer: 'network-error' | { status: number; headers: Record<string, string> } = 'network-error';
    let answered5xx = 0;
    const { server, log, outbox } = await verifying(() => {
      if (answer !== 'network-error') answered5xx += 1;
      return answer;
    });
    const { entry } = await log.entries.append(draft('PATCH', '/api/todos/1', { title: 'mine' }));
    await outbox.scheduler.kick();
    const afterNetworkError = await log.entries.get(entry.id);
    expect(afterNetworkError).toMatchObject({ state: 'queued', attempts: 0 });
    expect(afterNetworkError!.failures).toBeGreaterThanOrEqual(1);
    // Retry-After keeps the worker's own timer away once the 503 is in.
    answer = { status: 503, headers: { 'retry-after': '60' } };
    await outbox.scheduler.kick(true);
    expect(answered5xx).toBeGreaterThanOrEqual(1);
    expect(await log.entries.get(entry.id)).toMatchObject({ state: 'queued', attempts: answered5xx, lastStatus: 503 });
    expect(server.sent.some((sent) => sent.method === 'PATCH')).toBe(false);
  });

  it('verify off: the write goes as it is', async () => {
    const { server, log, outbox } = await verifying(() => ({ status: 200, body: { id: 1, title: 'seen' }, headers: { etag: '"7"' } }), undefined, { verify: 'off' });
    await log.entries.append(draft('PATCH', '/api/todos/1', { title: 'mine' }));
    await outbox.scheduler.kick();
    expect(server.sent.map((sent) => [sent.method, sent.headers['if-match']])).toEqual([['PATCH', undefined]]);
  });

  it('a live write goes at once by default; with always it is read first too', async () => {
    for (const [verify, methods] of [['waited', ['PATCH']], ['always', ['GET', 'PATCH']]] as const) {
      const { server, log, outbox } = await verifying(() => ({ status: 200, body: { id: 1, title: 'seen' }, headers: { etag: '"7"' } }), undefined, { verify });
      const { entry } = await log.entries.append(draft('PATCH', '/api/todos/1', { title: 'mine' }));
      expect(outbox.live.claim(entry)).toBe(true);
      const result = await outbox.live.send(entry, [['content-type', 'application/json']]);
      expect(result).toMatchObject({ kind: 'answered' });
      expect(server.sent.map((sent) => sent.method)).toEqual(methods);
      current!.close();
    }
  });
});

describe('learning versions from a collection read', () => {
  it('members carrying a body-field version teach it: their writes need no read', async () => {
    const server = new ScriptedServer(() => ({ status: 200, body: { id: 1, version: 4 } }));
    current = await startEngine(server, { versioning: 'version' });
    await current.log.learned.learnCollection('http://app.test/api/todos', [{ id: 1, title: 'seen', version: 3 }], 'id', 'version');
    await current.log.entries.append(draft('PATCH', '/api/todos/1', { title: 'mine' }));
    await current.outbox.scheduler.kick();
    expect(server.sent.map((sent) => [sent.method, JSON.parse(sent.body)])).toEqual([['PATCH', { title: 'mine', version: 3 }]]);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { ScriptedServer, createDraft, draft, startEngine, tick, type TestEngine } from './helpers';
import { releaseHeld } from '../sw/pages/controls';

let current: TestEngine | null = null;
afterEach(() => {
  current?.close();
  vi.restoreAllMocks();
});

async function engineWith(server: ScriptedServer, settings = {}) {
  current = await startEngine(server, settings);
  return current;
}

describe('replay engine', () => {
  it('sends one write at a time per resource, in order, and resources in parallel up to the limit', async () => {
    const server = new ScriptedServer(() => ({ status: 200, body: {} }), 15);
    const { log, outbox, controls } = await engineWith(server, { concurrency: 3 });
    for (let i = 0; i < 4; i++) for (const r of ['a', 'b', 'c', 'd', 'e']) await log.entries.append(draft('PATCH', `/api/${r}`, { i }));
    await outbox.scheduler.kick();
    expect(server.sent).toHaveLength(20);
    expect(server.maxInFlight).toBe(3);
    for (const r of ['a', 'b', 'c', 'd', 'e']) {
      const order = server.sent.filter((s) => s.url.endsWith(`/api/${r}`)).map((s) => JSON.parse(s.body).i);
      expect(order).toEqual([0, 1, 2, 3]);
    }
    expect(await log.entries.countPending('')).toBe(0);
  });

  it('carries the same Idempotency-Key on every retry of a write', async () => {
    let calls = 0;
    const server = new ScriptedServer(() => (++calls < 3 ? 'network-error' : { status: 201, body: {} }));
    const { log, outbox, controls } = await engineWith(server);
    await log.entries.append(draft('POST', '/api/x', { a: 1 }, { resource: 'http://app.test/api/x/k' }));
    for (let i = 0; i < 3; i++) await outbox.scheduler.kick(true);
    expect(server.sent).toHaveLength(3);
    expect(new Set(server.sent.map((s) => s.headers['idempotency-key'])).size).toBe(1);
    expect(await log.entries.countPending('')).toBe(0);
  });

  it('keeps writes through network failures without using up attempts, and backs off', async () => {
    // The backoff is drawn at random (full jitter): after four failures from [0, 4 s], so a short
    // draw on a slow machine came due before the check below. Drawn at the top of its window here.
    vi.spyOn(Math, 'random').mockReturnValue(0.99);
    const server = new ScriptedServer(() => 'network-error');
    const { log, outbox, controls, events, page } = await engineWith(server, { maxAttempts: 2, concurrency: 1 });
    await log.entries.append(draft('PATCH', '/api/x', { a: 1 }));
    await log.entries.append(draft('PATCH', '/api/y', { a: 1 }));
    for (let i = 0; i < 4; i++) await outbox.scheduler.kick(true);
    // A network failure ends the pass: the other lane is not hammered as well.
    expect(server.sent).toHaveLength(4);
    const [entry] = await log.entries.all();
    expect(entry).toMatchObject({ state: 'queued', attempts: 0, failures: 4 });
    expect(entry!.nextAttemptAt).toBeGreaterThanOrEqual(Date.now() - 10);
    expect(outbox.network.down).toBe(true);
    await outbox.scheduler.kick(false);
    // Not due yet: backoff holds without force; only a probe asks whether the network is back.
    expect(server.sent.map((sent) => sent.method)).toEqual(['PATCH', 'PATCH', 'PATCH', 'PATCH', 'HEAD']);
    await tick();
    expect(events.filter((e) => e.type === 'retrying').every((e) => e.type === 'retrying' && e.reason === 'network')).toBe(true);
  });

  it('dead-letters a write after maxAttempts server errors, and announces it', async () => {
    const server = new ScriptedServer(() => ({ status: 503, body: { error: 'busy' } }));
    const { log, outbox, controls, events, page } = await engineWith(server, { maxAttempts: 3 });
    const { entry } = await log.entries.append(draft('PATCH', '/api/x', { a: 1 }));
    for (let i = 0; i < 5; i++) await outbox.scheduler.kick(true);
    expect(server.sent).toHaveLength(3);
    expect(await log.entries.get(entry.id)).toMatchObject({ state: 'dead', reason: 'max-attempts', attempts: 3, lastStatus: 503 });
    await tick();
    expect(events.find((e) => e.type === 'rejected')).toMatchObject({ id: entry.id, reason: 'max-attempts', status: 503 });
  });

  it('honours Retry-After even when a trigger forces a replay', async () => {
    let calls = 0;
    const server = new ScriptedServer(() => (++calls === 1 ? { status: 429, headers: { 'retry-after': '60' } } : { status: 200, body: {} }));
    const { log, outbox, controls } = await engineWith(server);
    const { entry } = await log.entries.append(draft('PATCH', '/api/x', { a: 1 }));
    await outbox.scheduler.kick(true);
    await outbox.scheduler.kick(true);
    expect(server.sent).toHaveLength(1);
    const stored = await log.entries.get(entry.id);
    expect(stored!.notBefore - Date.now()).toBeGreaterThan(55_000);
  });

  it('holds a write on 401 until a page acts, without sending the writes behind it', async () => {
    const server = new ScriptedServer(() => ({ status: 401 }));
    const { log, outbox, controls } = await engineWith(server);
    const { entry } = await log.entries.append(draft('PATCH', '/api/x', { a: 1 }));
    await log.entries.append(draft('PATCH', '/api/x', { b: 1 }));
    await outbox.scheduler.kick(true);
    await outbox.scheduler.kick(true);
    expect(server.sent).toHaveLength(1);
    expect(await log.entries.get(entry.id)).toMatchObject({ state: 'held' });
  });

  it('rejects a write the server refuses (422) and the later writes of its resource with it', async () => {
    const server = new ScriptedServer((r) => (r.body.includes('bad') ? { status: 422, body: { error: 'no' } } : { status: 200, body: {} }));
    const { log, outbox, controls, events, page } = await engineWith(server);
    const bad = await log.entries.append(draft('PATCH', '/api/x', { bad: 1 }));
    const later = await log.entries.append(draft('PATCH', '/api/x', { ok: 1 }));
    const elsewhere = await log.entries.append(draft('PATCH', '/api/y', { ok: 1 }));
    await outbox.scheduler.kick();
    expect(server.sent.map((s) => s.url)).toEqual(['http://app.test/api/x', 'http://app.test/api/y']);
    await tick();
    const rejected = events.filter((e) => e.type === 'rejected');
    expect(rejected.map((e) => e.type === 'rejected' && [e.id, e.reason])).toEqual([[bad.entry.id, 'rejected'], [later.entry.id, 'cascade']]);
    expect(events.some((e) => e.type === 'confirmed' && e.id === elsewhere.entry.id)).toBe(true);
    expect(await log.entries.countDead()).toBe(2);
  });

  it('on a 412 with server-wins, drops the local change and says which fields were lost', async () => {
    const server = new ScriptedServer(() => ({ status: 412, body: { id: 1, title: 'theirs', done: false }, headers: { etag: '"5"' } }));
    const { log, outbox, controls, events, page } = await engineWith(server);
    const { entry } = await log.entries.append(draft('PATCH', '/api/todos/1', { title: 'mine', done: false }, { requestedBase: '"4"' }));
    await outbox.scheduler.kick();
    expect(server.sent[0]!.headers['if-match']).toBe('"4"');
    await tick();
    expect(events.find((e) => e.type === 'conflict')).toMatchObject({
      id: entry.id, status: 412, strategy: 'server-wins', dropped: true, lostFields: ['title'], server: { title: 'theirs' },
    });
    expect(await log.entries.get(entry.id)).toMatchObject({ state: 'dead', reason: 'conflict' });
    expect(await log.learned.knownVersion('http://app.test/api/todos/1')).toMatchObject({ version: '"5"' });
  });

  it('with client-wins, re-sends against the server\'s version under a new key', async () => {
    let calls = 0;
    const server = new ScriptedServer(() => (++calls === 1 ? { status: 412, body: { title: 'theirs' }, headers: { etag: '"5"' } } : { status: 200, body: { title: 'mine' }, headers: { etag: '"6"' } }));
    const { log, outbox, controls } = await engineWith(server);
    await log.entries.append(draft('PATCH', '/api/todos/1', { title: 'mine' }, { requestedBase: '"4"', conflict: 'client-wins' }));
    await outbox.scheduler.kick();
    expect(server.sent.map((s) => s.headers['if-match'])).toEqual(['"4"', '"5"']);
    expect(server.sent[0]!.headers['idempotency-key']).not.toBe(server.sent[1]!.headers['idempotency-key']);
    expect(await log.entries.countPending('')).toBe(0);
  });

  it('chains offline edits: each is sent with the version the previous one got back', async () => {
    let version = 1;
    const server = new ScriptedServer(() => ({ status: 200, body: {}, headers: { etag: `"${++version}"` } }));
    const { log, outbox, controls } = await engineWith(server);
    for (let i = 0; i < 5; i++) await log.entries.append(draft('PATCH', '/api/todos/1', { n: i }, { requestedBase: '"1"' }));
    await outbox.scheduler.kick();
    expect(server.sent.map((s) => s.headers['if-match'])).toEqual(['"1"', '"2"', '"3"', '"4"', '"5"']);
  });

  it('sends writes to a temporary id after its create, to the real URL, and announces the mapping', async () => {
    const server = new ScriptedServer((r) =>
      r.method === 'POST' ? { status: 201, body: { id: 42, title: 'new' }, headers: { location: '/api/todos/42', etag: '"1"' } } : { status: 200, body: {} },
    );
    const { log, outbox, controls, events, page } = await engineWith(server);
    await log.entries.append(createDraft('/api/todos', 'tmp-a', { title: 'new' }));
    await log.entries.append(draft('PATCH', '/api/todos/tmp-a', { title: 'newer', self: 'tmp-a' }, { resource: 'http://app.test/api/todos/tmp-a', requestedBase: null }));
    await log.entries.append(draft('DELETE', '/api/todos/tmp-a', undefined, { resource: 'http://app.test/api/todos/tmp-a' }));
    await outbox.scheduler.kick();
    expect(server.sent.map((s) => `${s.method} ${s.url} ${s.headers['if-match'] ?? '-'} ${s.body}`)).toEqual([
      'POST http://app.test/api/todos - {"title":"new"}',
      'PATCH http://app.test/api/todos/42 "1" {"title":"newer","self":42}',
      'DELETE http://app.test/api/todos/42 - ',
    ]);
    await tick();
    expect(events.find((e) => e.type === 'idmap')).toMatchObject({ tempId: 'tmp-a', realId: 42, realUrl: 'http://app.test/api/todos/42' });
  });

  it('dead-letters a write older than maxAgeDays without sending it', async () => {
    const server = new ScriptedServer(() => ({ status: 200, body: {} }));
    const { log, outbox, controls, events, page } = await engineWith(server, { maxAgeDays: 7 });
    const old = await log.entries.append(draft('PATCH', '/api/x', { a: 1 }, { createdAt: Date.now() - 8 * 24 * 3600 * 1000 }));
    const fresh = await log.entries.append(draft('PATCH', '/api/y', { a: 1 }));
    await outbox.scheduler.kick();
    expect(server.sent.map((s) => s.url)).toEqual(['http://app.test/api/y']);
    expect(await log.entries.get(old.entry.id)).toMatchObject({ state: 'dead', reason: 'expired' });
    expect(await log.entries.get(fresh.entry.id)).toBeUndefined();
    await tick();
    expect(events.find((e) => e.type === 'rejected')).toMatchObject({ id: old.entry.id, reason: 'expired' });
  });

  it('pauses and resumes replay', async () => {
    const server = new ScriptedServer(() => ({ status: 200, body: {} }));
    const { log, outbox, controls } = await engineWith(server);
    await controls.pause();
    await log.entries.append(draft('PATCH', '/api/x', { a: 1 }));
    await outbox.scheduler.kick(true);
    expect(server.sent).toHaveLength(0);
    expect((await controls.status()).paused).toBe(true);
    await controls.resume();
    expect(server.sent).toHaveLength(1);
  });
});

describe('conflicts that wait for a person', () => {
  it('holds the lane on an overlapping merge, and sends the body a page answers with', async () => {
    let calls = 0;
    const server = new ScriptedServer(() =>
      ++calls === 1 ? { status: 412, body: { id: 1, title: 'theirs', done: false }, headers: { etag: '"5"' } } : { status: 200, body: {}, headers: { etag: '"6"' } },
    );
    current = await startEngine(server);
    const { log, outbox, controls, events, page } = current;
    const base = { id: 1, title: 'base', done: false };
    const { entry } = await log.entries.append(draft('PATCH', '/api/todos/1', { title: 'mine' }, { requestedBase: '"4"', conflict: 'merge', baseRepresentation: base }));
    await log.entries.append(draft('PATCH', '/api/todos/1', { done: true }, { conflict: 'merge' }));
    await outbox.scheduler.kick();
    expect(server.sent).toHaveLength(1);
    await tick();
    expect(events.find((e) => e.type === 'conflict')).toMatchObject({ waiting: true, dropped: false, overlapping: ['title'], base, server: { title: 'theirs' } });
    expect(await log.entries.get(entry.id)).toMatchObject({ state: 'conflict', baseVersion: '"5"' });

    expect(await controls.resolve(entry.id, { body: { title: 'mine and theirs' } })).toBe(true);
    await outbox.scheduler.kick();
    expect(server.sent.slice(1).map((s) => [s.headers['if-match'], s.body])).toEqual([
      ['"5"', '{"title":"mine and theirs"}'],
      ['"6"', '{"done":true}'],
    ]);
    expect(server.sent[1]!.headers['idempotency-key']).not.toBe(server.sent[0]!.headers['idempotency-key']);
  });

  it('a discarded answer drops the change and the later ones made on top of it, and says so', async () => {
    const server = new ScriptedServer(() => ({ status: 412, body: { title: 'theirs' }, headers: { etag: '"5"' } }));
    current = await startEngine(server);
    const { log, outbox, controls, events, page } = current;
    const { entry } = await log.entries.append(draft('PATCH', '/api/todos/1', { title: 'mine' }, { conflict: 'manual' }));
    const later = await log.entries.append(draft('PATCH', '/api/todos/1', { done: true }, { conflict: 'manual' }));
    await outbox.scheduler.kick();
    expect(await controls.resolve(entry.id, { discard: true })).toBe(true);
    expect(await controls.resolve(entry.id, { discard: true })).toBe(false);
    await tick();
    expect(events.filter((e) => e.type === 'rejected').map((e) => e.type === 'rejected' && [e.id, e.reason])).toEqual([
      [entry.id, 'discarded'], [later.entry.id, 'cascade'],
    ]);
    expect(await log.entries.countPending('')).toBe(0);
  });
});

describe('partitions (one per signed-in user)', () => {
  it('sends only the active partition\'s writes; the others wait for their user, or are cleared out loud', async () => {
    const server = new ScriptedServer(() => ({ status: 200, body: {} }));
    current = await startEngine(server);
    const { log, outbox, controls, events, page } = current;
    const api = controls;
    await controls.setPartition('alice');
    await log.entries.append(draft('PATCH', '/api/todos/1', { by: 'alice' }, { partition: 'alice' }));
    await log.entries.append(draft('PATCH', '/api/todos/2', { by: 'alice' }, { partition: 'alice' }));
    await controls.setPartition('bob');
    await log.entries.append(draft('PATCH', '/api/todos/3', { by: 'bob' }, { partition: 'bob' }));
    await outbox.scheduler.kick(true);
    expect(server.sent.map((s) => JSON.parse(s.body).by)).toEqual(['bob']);
    expect((await controls.status()).pending).toBe(0);
    expect(await api.list()).toEqual([]);

    // Alice signs in again, but the app clears her writes (say, she chose to) before they go.
    await api.pause();
    await controls.setPartition('alice');
    expect((await api.list()).map((entry) => entry.json)).toEqual([{ by: 'alice' }, { by: 'alice' }]);
    expect((await controls.status()).pending).toBe(2);
    await api.clear();
    expect((await controls.status()).pending).toBe(0);
    await tick();
    expect(events.filter((e) => e.type === 'rejected').map((e) => e.type === 'rejected' && [e.reason, e.lostFields])).toEqual([
      ['cleared', ['by']], ['cleared', ['by']],
    ]);
    expect(server.sent).toHaveLength(1);
  });
});

describe('credentials', () => {
  it('a write that had credentials waits until a page supplies fresh ones, then goes with them', async () => {
    const server = new ScriptedServer(() => ({ status: 200, body: {} }));
    current = await startEngine(server);
    const { log, outbox, controls, events, page } = current;
    let token: string | null = null;
    page.credentials = async () => (token ? { authorization: token } : null);
    const { entry } = await log.entries.append(draft('PATCH', '/api/todos/1', { a: 1 }, { needsCredentials: true }));
    await log.entries.append(draft('PATCH', '/api/todos/1', { b: 1 }));
    await outbox.scheduler.kick(true);
    expect(server.sent).toHaveLength(0);
    expect(await log.entries.get(entry.id)).toMatchObject({ state: 'held', reason: 'no open page to supply credentials' });
    await tick();
    expect(events.find((e) => e.type === 'held')).toMatchObject({ id: entry.id, status: null });

    token = 'Bearer fresh';
    await releaseHeld(outbox);
    expect(server.sent.map((s) => s.headers.authorization ?? null)).toEqual(['Bearer fresh', null]);
    expect(await log.entries.countPending('')).toBe(0);
  });

  it('holds on 401 until the page says it has fresh credentials', async () => {
    let calls = 0;
    const server = new ScriptedServer(() => (++calls === 1 ? { status: 401, body: { error: 'sign in' } } : { status: 200, body: {} }));
    current = await startEngine(server);
    const { log, outbox, controls, page } = current;
    page.credentials = async () => ({ authorization: `Bearer ${calls}` });
    await log.entries.append(draft('PATCH', '/api/todos/1', { a: 1 }, { needsCredentials: true }));
    await outbox.scheduler.kick(true);
    await outbox.scheduler.kick(true);
    expect(server.sent).toHaveLength(1);
    await releaseHeld(outbox);
    expect(server.sent.map((s) => s.headers.authorization)).toEqual(['Bearer 0', 'Bearer 1']);
  });
});

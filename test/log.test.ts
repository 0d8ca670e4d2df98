import { describe, expect, it } from 'vitest';
import { createDraft, draft, openTestLog } from './helpers';

describe('the write-ahead log', () => {
  it('commits a burst of writes, each durable and in the order the page issued them', async () => {
    const log = await openTestLog();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => log.entries.append(draft('PATCH', `/api/todos/${i % 4}`, { n: i }))));
    expect(results.map((r) => r.entry.seq)).toEqual([...results.map((r) => r.entry.seq)].sort((a, b) => a! - b!));
    expect(results.filter((r) => r.isHead).map((r) => r.entry.resource)).toEqual([0, 1, 2, 3].map((i) => `http://app.test/api/todos/${i}`));
    expect(await log.entries.countPending('')).toBe(20);
    const stored = await log.entries.all();
    expect(stored.map((e) => e.id)).toEqual(results.map((r) => r.entry.id));
    expect(new TextDecoder().decode(stored[5]!.body!)).toBe('{"n":5}');
  });

  it('group commit: a burst shares transactions, and each write resolves only once it is committed', async () => {
    const log = await openTestLog();
    const original = IDBDatabase.prototype.transaction;
    let readwrite = 0;
    IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
      if (args[1] === 'readwrite') readwrite++;
      return original.apply(this, args);
    } as IDBDatabase['transaction'];
    try {
      const appended = await Promise.all(Array.from({ length: 50 }, (_, i) => log.entries.append(draft('POST', '/api/todos', { n: i }, { resource: `http://app.test/api/todos/tmp-${i}` }))));
      // The first write commits alone; the 49 that arrived meanwhile go together.
      expect(readwrite).toBe(2);
      // Every write that resolved is in the database.
      const stored = new Set((await log.entries.all()).map((entry) => entry.id));
      expect(appended.every(({ entry }) => stored.has(entry.id))).toBe(true);
    } finally {
      IDBDatabase.prototype.transaction = original;
    }
  });

  it('a write that cannot be stored fails alone: the others of its batch are committed', async () => {
    const log = await openTestLog();
    const first = log.entries.append(draft('PATCH', '/api/todos/1', { n: 1 }));
    // Cannot be cloned into IndexedDB, as a write too big for the quota left cannot be stored.
    const unstorable = log.entries.append(draft('PATCH', '/api/todos/2', { n: 2 }, { baseRepresentation: () => 'not data' }));
    const third = log.entries.append(draft('PATCH', '/api/todos/3', { n: 3 }));
    const outcomes = await Promise.allSettled([first, unstorable, third]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await log.entries.all()).map((entry) => entry.resource)).toEqual(['http://app.test/api/todos/1', 'http://app.test/api/todos/3']);
  });

  it('walks each lane once, in key order, and gives a lane\'s writes oldest first', async () => {
    const log = await openTestLog();
    const b1 = await log.entries.append(draft('PATCH', '/api/b', { v: 1 }));
    await log.entries.append(draft('PATCH', '/api/a', { v: 1 }));
    await log.entries.append(draft('PATCH', '/api/b', { v: 2 }));
    const lanes: string[] = [];
    for (let [lane] = await log.entries.nextLanes(null, 1); lane !== undefined; [lane] = await log.entries.nextLanes(lane, 1)) lanes.push(lane);
    expect(lanes).toEqual(['http://app.test/api/a', 'http://app.test/api/b']);
    expect((await log.entries.laneHead('http://app.test/api/b'))?.id).toBe(b1.entry.id);
  });

  it("chains a user's own edits: the second is based on what the first gets back", async () => {
    const log = await openTestLog();
    const first = await log.entries.append(draft('PATCH', '/api/x', { a: 1 }, { requestedBase: '"3"' }));
    const second = await log.entries.append(draft('PATCH', '/api/x', { b: 1 }, { requestedBase: '"3"' }));
    const deliberate = await log.entries.append(draft('PATCH', '/api/x', { c: 1 }, { requestedBase: '"9"' }));
    expect(first.entry).toMatchObject({ chained: false, baseVersion: '"3"' });
    expect(second.entry).toMatchObject({ chained: true, baseVersion: null });
    expect(deliberate.entry).toMatchObject({ chained: false, baseVersion: '"9"' });

    const { lane, head } = await log.entries.confirm(first.entry, { version: '"4"', representation: { a: 1 }, mapping: null });
    expect(lane).toBe('http://app.test/api/x');
    expect(head).toMatchObject({ id: second.entry.id, chained: false, baseVersion: '"4"' });
    expect(await log.entries.laneHead(lane)).toEqual(head);
    expect(await log.learned.knownVersion('http://app.test/api/x')).toMatchObject({ version: '"4"', representation: { a: 1 } });
  });

  it('remaps a confirmed create\'s temporary id in the URLs, bodies and lane of the writes behind it', async () => {
    const log = await openTestLog();
    const create = await log.entries.append(createDraft('/api/todos', 'tmp-1', { title: 'new' }));
    await log.entries.append(draft('PATCH', '/api/todos/tmp-1', { title: 'newer', parent: 'tmp-1' }, { resource: 'http://app.test/api/todos/tmp-1' }));
    await log.entries.append(draft('POST', '/api/todos/tmp-1/comments', { on: 'tmp-1' }, { resource: 'http://app.test/api/todos/tmp-1' }));
    const mapping = { tempId: 'tmp-1', realId: 7, tempUrl: 'http://app.test/api/todos/tmp-1', realUrl: 'http://app.test/api/todos/7', at: 0 };
    const { lane } = await log.entries.confirm(create.entry, { version: '"1"', representation: null, mapping });
    expect(lane).toBe('http://app.test/api/todos/7');
    const rest = (await log.entries.all()).map((e) => ({ url: e.url, lane: e.lane, body: new TextDecoder().decode(e.body!) }));
    expect(rest).toEqual([
      { url: 'http://app.test/api/todos/7', lane, body: '{"title":"newer","parent":7}' },
      { url: 'http://app.test/api/todos/7/comments', lane, body: '{"on":7}' },
    ]);
    expect(await log.learned.mappingFor('tmp-1')).toMatchObject({ realId: 7 });
  });

  it('dead-letters a write and the later writes of its resource, which stay visible and can be revived', async () => {
    const log = await openTestLog();
    const a = await log.entries.append(draft('PATCH', '/api/x', { a: 1 }));
    const b = await log.entries.append(draft('PATCH', '/api/x', { b: 1 }));
    const other = await log.entries.append(draft('PATCH', '/api/y', { c: 1 }));
    const cascaded = await log.entries.kill(a.entry, 'rejected', true);
    expect(cascaded.map((e) => e.id)).toEqual([b.entry.id]);
    expect(await log.entries.countPending('')).toBe(1);
    expect(await log.entries.countDead()).toBe(2);
    expect(await log.entries.laneHead('http://app.test/api/x')).toBeUndefined();
    expect((await log.entries.get(a.entry.id))).toMatchObject({ state: 'dead', reason: 'rejected' });

    const revived = await log.entries.revive(a.entry.id);
    expect(revived).toMatchObject({ state: 'queued', lane: 'http://app.test/api/x' });
    expect(revived!.seq).toBeGreaterThan(other.entry.seq!);
    expect(await log.entries.countDead()).toBe(1);
  });

  it('learns the items of a collection as the bases their writes merge against', async () => {
    const log = await openTestLog();
    await log.learned.learnVersion({ resource: 'http://app.test/api/todos/1', version: '"7"', representation: null, at: 0 });
    await log.learned.learnCollection('http://app.test/api/todos', [{ id: 1, title: 'a', version: 7 }, { id: 'x y', title: 'b', version: 2 }, 'junk', { title: 'no id' }], 'id', 'etag');
    expect(await log.learned.knownVersion('http://app.test/api/todos/1')).toMatchObject({ version: '"7"', representation: { title: 'a' } });
    expect(await log.learned.knownVersion('http://app.test/api/todos/x%20y')).toMatchObject({ version: null, representation: { title: 'b' } });
    await log.learned.learnCollection('http://app.test/api/todos', [{ id: 1, title: 'a', version: 8 }], 'id', 'version');
    expect(await log.learned.knownVersion('http://app.test/api/todos/1')).toMatchObject({ version: '8' });
  });

  it('keeps a bounded event history', async () => {
    const log = await openTestLog();
    const events = Array.from({ length: 620 }, (_, i) => ({ type: 'sent' as const, id: String(i), resource: 'r', attempt: 1, seq: i + 1, at: 0 }));
    await log.history.record(events);
    const kept = await log.history.after(0);
    expect(kept.length).toBeLessThanOrEqual(500);
    expect(kept.at(-1)?.seq).toBe(620);
    expect((await log.history.after(610)).map((e) => e.seq)).toEqual([611, 612, 613, 614, 615, 616, 617, 618, 619, 620]);
  });

  it('keeps the history of an earlier worker when a restarted one starts far ahead', async () => {
    const log = await openTestLog();
    await log.history.record([{ type: 'sent', id: 'before', resource: 'r', attempt: 1, seq: 10, at: 0 }]);
    await log.history.record([{ type: 'sent', id: 'after', resource: 'r', attempt: 1, seq: 1_000_000_000, at: 0 }]);
    expect((await log.history.after(0)).map((e) => e.type === 'sent' && e.id)).toEqual(['before', 'after']);
  });

  it('forgets versions and id mappings learned long ago, and keeps recent ones and every pending write', async () => {
    const log = await openTestLog();
    const day = 86_400_000;
    const now = Date.now();
    await log.learned.learnVersion({ resource: 'http://app.test/api/todos/1', version: '"1"', representation: { id: 1 }, at: now - 30 * day });
    await log.learned.learnVersion({ resource: 'http://app.test/api/todos/2', version: '"2"', representation: { id: 2 }, at: now });
    const created = await log.entries.append(createDraft('/api/todos', 'tmp-old', { title: 'old' }));
    await log.entries.confirm(created.entry, { version: null, representation: { id: 7 }, mapping: { tempId: 'tmp-old', realId: 7, tempUrl: 'http://app.test/api/todos/tmp-old', realUrl: 'http://app.test/api/todos/7', at: now - 30 * day } });
    const pending = await log.entries.append(draft('PATCH', '/api/todos/1', { title: 'waiting' }, { requestedBase: '"1"' }));

    expect(await log.learned.forgetLearnedBefore(now - 7 * day)).toBe(2);
    expect(await log.learned.knownVersion('http://app.test/api/todos/1')).toBeUndefined();
    expect(await log.learned.knownVersion('http://app.test/api/todos/2')).toMatchObject({ version: '"2"' });
    expect(await log.learned.mappingFor('tmp-old')).toBeUndefined();
    expect(await log.entries.get(pending.entry.id)).toMatchObject({ baseVersion: '"1"' });
  });

  it('tells where a write stands before its commit is durable, and a failed commit leaves it in no log', async () => {
    const log = await openTestLog();
    const order: string[] = [];
    const { placed, durable } = log.entries.appendEarly(draft('PATCH', '/api/todos/1', { n: 1 }));
    const early = await placed.then((appended) => (order.push('placed'), appended));
    await durable.then(() => order.push('durable'));
    expect(order).toEqual(['placed', 'durable']);
    expect(early).toMatchObject({ isHead: true, outcome: 'queued' });

    // Cannot be cloned into IndexedDB: the commit fails after nothing was durable.
    const failing = log.entries.appendEarly(draft('PATCH', '/api/todos/2', { n: 2 }, { baseRepresentation: () => 'not data' }));
    await expect(failing.durable).rejects.toBeDefined();
    expect((await log.entries.all()).map((entry) => entry.resource)).toEqual(['http://app.test/api/todos/1']);
  });

  it('never brings back a write that left the log while it was on the wire', async () => {
    const log = await openTestLog();
    const { entry } = await log.entries.append(draft('PATCH', '/api/todos/1', { n: 1 }));
    expect(await log.entries.remove(entry.id)).toBe(true);
    expect(await log.entries.put({ ...entry, failures: 1, nextAttemptAt: Date.now() + 500 })).toBe(false);
    await log.entries.kill(entry, 'rejected', true);
    expect(await log.entries.all()).toEqual([]);
  });

  it('confirms a write by its id, wherever the log placed it', async () => {
    const log = await openTestLog();
    const first = await log.entries.append(draft('PATCH', '/api/a', { n: 1 }));
    const second = await log.entries.append(draft('PATCH', '/api/b', { n: 1 }));
    await log.entries.confirm({ ...second.entry, seq: first.entry.seq }, { version: null, representation: null, mapping: null });
    expect((await log.entries.all()).map((entry) => entry.id)).toEqual([first.entry.id]);
  });
});

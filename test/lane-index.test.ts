import { describe, expect, it } from 'vitest';
import { createDraft, draft, openTestLog } from './helpers';
import { openLog } from '../sw/log';
import { LaneIndex } from '../sw/log/lane-index';

describe('the in-memory lane index', () => {
  it('forgets a lane only when nothing entered it after the commit that emptied it was asked for', async () => {
    expect(new LaneIndex().isEmpty('a')).toBe(false); // not loaded: nothing is known to be empty
    const { lanes } = await openTestLog();
    expect(lanes.isEmpty('a')).toBe(true);
    lanes.entered('a');
    const asked = lanes.stampOf('a');
    lanes.entered('a'); // a write came while the commit ran
    lanes.emptied('a', asked);
    expect(lanes.isEmpty('a')).toBe(false);
    lanes.emptied('a', lanes.stampOf('a'));
    expect(lanes.isEmpty('a')).toBe(true);
  });

  it('places a write to an empty lane while another commit is still running, and one behind a write only after reading the log', async () => {
    const log = await openTestLog();
    await log.entries.append(draft('PATCH', '/api/a', { n: 1 }));
    const running = log.entries.append(draft('PATCH', '/api/c', { n: 1 }));
    await Promise.resolve(); // that commit has begun
    const order: string[] = [];
    const fresh = log.entries.appendEarly(draft('PATCH', '/api/b', { n: 1 }));
    const behind = log.entries.appendEarly(draft('PATCH', '/api/a', { n: 2 }));
    await Promise.all([
      fresh.placed.then(() => order.push('empty lane placed')),
      behind.placed.then(() => order.push('busy lane placed')),
      running.then(() => order.push('earlier commit durable')),
    ]);
    expect(order).toEqual(['empty lane placed', 'earlier commit durable', 'busy lane placed']);
    expect(await fresh.placed).toMatchObject({ isHead: true });
    expect(await behind.placed).toMatchObject({ isHead: false, entry: { chained: true } });
  });

  it('keeps a lane that a write entered while the confirmation emptying it was committing', async () => {
    const log = await openTestLog();
    const first = await log.entries.append(draft('PATCH', '/api/a', { n: 1 }));
    const confirming = log.entries.confirm(first.entry, { version: '"2"', representation: null, mapping: null });
    const second = log.entries.append(draft('PATCH', '/api/a', { n: 2 }));
    await confirming;
    await second;
    const third = await log.entries.append(draft('PATCH', '/api/a', { n: 3 }));
    expect(third).toMatchObject({ isHead: false, entry: { chained: true } });
    // Once that lane is empty again, the next write heads it.
    await log.entries.confirm((await second).entry, { version: '"3"', representation: null, mapping: null });
    await log.entries.confirm((await log.entries.laneHead('http://app.test/api/a'))!, { version: '"4"', representation: null, mapping: null });
    const fourth = await log.entries.append(draft('PATCH', '/api/a', { n: 4 }));
    expect(fourth).toMatchObject({ isHead: true, entry: { baseVersion: '"4"' } });
  });

  it('knows the lanes a reopened log holds, and the versions it learned', async () => {
    const name = `test-reopen-${Date.now()}`;
    const before = await openLog(name, {}, () => false);
    await before.entries.append(draft('PATCH', '/api/a', { n: 1 }));
    await before.learned.learnVersion({ resource: 'http://app.test/api/b', version: '"7"', representation: { n: 0 }, at: Date.now() });
    before.database.close();
    const after = await openLog(name, {}, () => false);
    expect(await after.entries.append(draft('PATCH', '/api/a', { n: 2 }))).toMatchObject({ isHead: false, entry: { chained: true } });
    expect(await after.entries.append(draft('PATCH', '/api/b', { n: 1 }))).toMatchObject({ isHead: true, entry: { baseVersion: '"7"', baseRepresentation: { n: 0 } } });
    // A version forgotten is not based on any more.
    await after.learned.forgetLearnedBefore(Date.now() + 1);
    expect(await after.entries.append(draft('PATCH', '/api/c', { n: 1 }))).toMatchObject({ entry: { baseVersion: null } });
    expect(await after.learned.knownVersion('http://app.test/api/b')).toBeUndefined();
  });

  it('after a remap, the real id\'s lane is empty only if no write moved into it', async () => {
    const log = await openTestLog();
    const lone = await log.entries.append(createDraft('/api/todos', 'tmp-1', { title: 'one' }));
    await log.entries.confirm(lone.entry, { version: '"1"', representation: null, mapping: { tempId: 'tmp-1', realId: 1, tempUrl: 'http://app.test/api/todos/tmp-1', realUrl: 'http://app.test/api/todos/1', at: Date.now() } });
    expect(await log.entries.append(draft('PATCH', '/api/todos/1', { title: 'edit' }))).toMatchObject({ isHead: true, entry: { baseVersion: '"1"' } });

    const create = await log.entries.append(createDraft('/api/todos', 'tmp-2', { title: 'two' }));
    await log.entries.append(draft('PATCH', '/api/todos/tmp-2', { title: 'two, edited' }, { resource: 'http://app.test/api/todos/tmp-2' }));
    await log.entries.confirm(create.entry, { version: '"1"', representation: null, mapping: { tempId: 'tmp-2', realId: 2, tempUrl: 'http://app.test/api/todos/tmp-2', realUrl: 'http://app.test/api/todos/2', at: Date.now() } });
    expect(await log.entries.append(draft('PATCH', '/api/todos/2', { title: 'later' }))).toMatchObject({ isHead: false, entry: { chained: true } });
  });

  it('forgets the versions it knew when the database is deleted under it', async () => {
    const name = `test-deleted-${Date.now()}`;
    const log = await openLog(name, {}, () => false);
    await log.learned.learnVersion({ resource: 'http://app.test/api/a', version: '"7"', representation: { n: 0 }, at: Date.now() });
    await new Promise((resolve, reject) => Object.assign(indexedDB.deleteDatabase(name), { onsuccess: resolve, onerror: reject }));
    expect(await log.learned.knownVersion('http://app.test/api/a')).toBeUndefined();
    expect(await log.entries.append(draft('PATCH', '/api/a', { n: 1 }))).toMatchObject({ entry: { baseVersion: null, baseRepresentation: null } });
    log.database.close();
  });
});

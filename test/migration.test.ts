import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openDB, type IDBPDatabase } from 'idb';
import { upgradeLog } from '../sw/log/migrations';
import { openLog } from '../sw/log';
import { InFlight } from '../sw/send/in-flight';
import { assembleOutbox } from '../sw/outbox';
import { resolveConfig } from '../protocol';
import { ScriptedServer, draft } from './helpers';

const nobodySending = () => false;

/** A write exactly as the first version of the worker stored it. */
function versionOneEntry(n: number) {
  return {
    id: `old-${n}`, idempotencyKey: `key-${n}`, method: 'PATCH', url: 'http://app.test/api/todos/1',
    headers: [['content-type', 'application/json']], body: new TextEncoder().encode(JSON.stringify({ n })).buffer,
    contentType: 'application/json', resource: 'http://app.test/api/todos/1', lane: 'http://app.test/api/todos/1',
    tempId: null, tempUrl: null, requestedBase: '"3"', baseVersion: n === 1 ? '"3"' : null, chained: n !== 1,
    baseRepresentation: null, createdAt: Date.now(), attempts: 0, failures: 0, nextAttemptAt: 0, notBefore: 0,
    state: 'queued', lastStatus: null, lastError: null, reason: null,
  };
}

describe('log schema migration', () => {
  it('upgrades a version 1 log with writes in it, and they are sent in order, once each', async () => {
    const name = `migrate-${Date.now()}`;
    const v1 = await openDB(name, 1, { upgrade: (db, old, _new, tx) => void upgradeLog(db as IDBPDatabase<unknown>, old, 1, tx as never) });
    for (const n of [1, 2]) await v1.add('entries', versionOneEntry(n));
    v1.close();

    const log = await openLog(name, {}, nobodySending);
    const [first, second] = await log.entries.all();
    expect(first).toMatchObject({ id: 'old-1', coalesce: false, conflict: 'server-wins', coalesced: [], versioned: true, baseVersion: '"3"', partition: '' });
    expect(second).toMatchObject({ id: 'old-2', chained: true });

    let version = 3;
    const server = new ScriptedServer(() => ({ status: 200, body: {}, headers: { etag: `"${++version}"` } }));
    const outbox = await assembleOutbox(log, new InFlight(), resolveConfig(), {
      fetch: server.fetch, onNetworkDown: () => undefined, windows: { openIds: async () => [], requestConnections: () => undefined },
    });
    await outbox.scheduler.kick();
    expect(server.sent.map((s) => [s.body, s.headers['if-match'], s.headers['idempotency-key']])).toEqual([
      ['{"n":1}', '"3"', 'key-1'],
      ['{"n":2}', '"4"', 'key-2'],
    ]);
    expect(await log.entries.countPending('')).toBe(0);
    log.database.close();
  });
});

describe('the event history across the upgrade to runs', () => {
  it('keeps the events a version 4 log holds, one record each, and a late tab reads them after new ones are written', async () => {
    const name = `history-${Date.now()}`;
    const v4 = await openDB(name, 4, { upgrade: (db, old, _new, tx) => void upgradeLog(db as IDBPDatabase<unknown>, old, 4, tx as never) });
    for (const seq of [7, 8]) await v4.add('events', { type: 'sent', id: `w${seq}`, resource: 'r', attempt: 1, seq, at: seq });
    v4.close();

    const log = await openLog(name, {}, nobodySending);
    expect(await log.history.lastSeq()).toBe(8);
    await log.history.record([{ type: 'sent', id: 'w9', resource: 'r', attempt: 1, seq: 9, at: 9 }]);
    expect((await log.history.after()).map((event) => event.seq)).toEqual([7, 8, 9]);
    expect((await log.history.after(7)).map((event) => event.seq)).toEqual([8, 9]);
    log.database.close();
  });
});

describe('the log\'s database taken away or held', () => {
  it('deleted under an open log: the writes it held are reported, and the log goes on, empty', async () => {
    const name = `deleted-${Date.now()}`;
    let reportLost: (ids: string[]) => void = () => undefined;
    const reported = new Promise<string[]>((resolve) => (reportLost = resolve));
    const log = await openLog(name, { onDeleted: (lost) => reportLost(lost.map((e) => e.id)) }, nobodySending);
    const { entry } = await log.entries.append(draft('PATCH', '/api/todos/1', { title: 'kept?' }));
    await new Promise((resolve, reject) => Object.assign(indexedDB.deleteDatabase(name), { onsuccess: resolve, onerror: reject }));
    expect(await reported).toEqual([entry.id]);
    expect(await log.entries.countPending('')).toBe(0);
    const { entry: next } = await log.entries.append(draft('PATCH', '/api/todos/2', { title: 'after' }));
    expect((await log.entries.all()).map((e) => e.id)).toEqual([next.id]);
    log.database.close();
  });

  it('an old connection that ignores versionchange keeps the upgrade waiting; once it closes, the log opens with its writes', async () => {
    const name = `blocked-${Date.now()}`;
    const old = await openDB(name, 1, { upgrade: (db, from, _to, tx) => void upgradeLog(db as IDBPDatabase<unknown>, from, 1, tx as never) });
    await old.add('entries', versionOneEntry(1));
    let blockedCalls = 0;
    const opening = openLog(name, { onBlocked: () => blockedCalls++ }, nobodySending);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(blockedCalls).toBe(1);
    old.close();
    const log = await opening;
    expect((await log.entries.all()).map((e) => e.id)).toEqual(['old-1']);
    log.database.close();
  });
});

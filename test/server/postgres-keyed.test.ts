// @vitest-environment node
// The transactional path on Postgres, in this process: the work first, then the key's row and answer
// written with COMMIT (docs/server.md, The one-transaction recipe).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { exactlyOnce, fingerprintOf } from '../../server';
import type { FetchHandler, IdempotencyStore } from '../../server';
import { pgStore } from '../../server/pg';
import type { PgStoreOptions } from '../../server/pg';
import { startCluster } from './postgres';
import type { Cluster } from './postgres';

let cluster: Cluster;
let pool: pg.Pool;

/**
 * An app whose every write is a row in `keyed_applied`, in the key's transaction; `gate` holds the
 * work of a request sent `held`. On `/unique` the write is also a row of `keyed_unique`, whose key
 * is unique, and on `/unique-409` it is answered 409 when that row is there already; `/strict`
 * throws when its transaction's answer is not a success.
 */
async function app(options: Partial<PgStoreOptions> = {}, appPool: pg.Pool = pool, makeStore: typeof pgStore = pgStore) {
  const store: IdempotencyStore<pg.PoolClient> = await makeStore({ pool: appPool, ...options });
  let gate: Promise<void> = Promise.resolve();
  let worked = 0;
  const handle: FetchHandler = exactlyOnce<pg.PoolClient>(
    async (request, context) => {
      const outcome = new URL(request.url).pathname.slice(1);
      const body = await request.text();
      const answer = await context.transaction(async (client) => {
        worked += 1;
        await client.query('INSERT INTO keyed_applied (key, body) VALUES ($1, $2)', [context.key, body]);
        if (outcome === 'unique') await client.query('INSERT INTO keyed_unique (key) VALUES ($1)', [context.key]);
        if (outcome === 'unique-409') {
          const inserted = await client.query('INSERT INTO keyed_unique (key) VALUES ($1) ON CONFLICT DO NOTHING', [context.key]);
          if (inserted.rowCount === 0) return new Response('exists already', { status: 409 });
        }
        if (request.headers.has('x-hold')) await gate;
        if (outcome === 'throw') throw new Error('after the write');
        if (outcome === 'die') await client.query('SELECT pg_terminate_backend(pg_backend_pid())');
        if (outcome === 'fail') return new Response('down', { status: 503 });
        return new Response(new Uint8Array([0, 39, 92, 255, ...new TextEncoder().encode(body)]), { status: 201, headers: { 'Content-Type': 'application/octet-stream', ETag: `"it's \\ ${body}"` } });
      });
      if (outcome === 'strict' && !answer.ok) throw new Error(`unexpected ${answer.status}`);
      return answer;
    },
    { store, transactional: true, scope: (request) => decodeURIComponent(request.headers.get('x-scope') ?? '') },
  );
  return {
    store,
    worked: () => worked,
    send: (key: string, outcome = 'ok', body = 'x', scope = '', held = false) =>
      handle(
        new Request(`http://app.test/${outcome}`, {
          method: 'POST',
          // Headers other than the key are not fingerprinted: a held delivery and a free one are the same request.
          headers: { 'Idempotency-Key': `"${key.replace(/[\\"]/g, (c) => `\\${c}`)}"`, 'X-Scope': encodeURIComponent(scope), ...(held ? { 'X-Hold': '1' } : {}) },
          body,
        }),
      ),
    hold: () => {
      let release = () => undefined as void;
      gate = new Promise<void>((resolve) => (release = resolve));
      return () => {
        gate = Promise.resolve();
        release();
      };
    },
  };
}

const applied = async (key: string) => (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM keyed_applied WHERE key = $1', [key])).rows[0]?.n;
const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const replayed = (response: Response) => response.headers.get('idempotent-replayed') === 'true';

describe('Postgres store, transactional writes in one transaction', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    cluster = await startCluster();
    pool = new pg.Pool({ connectionString: cluster.url, max: 8 });
    await pool.query('CREATE TABLE keyed_applied (id serial PRIMARY KEY, key text, body text)');
    await pool.query('CREATE TABLE keyed_unique (key text PRIMARY KEY)');
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    cluster?.stop();
  }, 30_000);

  it('replays a finished key byte for byte and answers 422 to another payload: their work runs and is rolled back', async () => {
    const one = await app();
    const first = await one.send('k-replay');
    expect(first.status).toBe(201);
    const firstBytes = new Uint8Array(await first.arrayBuffer());
    const again = await one.send('k-replay');
    expect([again.status, replayed(again), again.headers.get('etag')]).toEqual([201, true, '"it\'s \\ x"']);
    expect(new Uint8Array(await again.arrayBuffer())).toEqual(firstBytes);
    expect((await one.send('k-replay', 'ok', 'other')).status).toBe(422);
    expect([one.worked(), await applied('k-replay')]).toEqual([3, 1]);
    await one.store.close();
  });

  it("makes a delivery's write wait on the key's row another transaction is writing: its commit is replayed, its rollback leaves the key free", async () => {
    const one = await app();
    const fingerprint = fingerprintOf(new Request('http://app.test/ok', { method: 'POST', body: 'x' }), new TextEncoder().encode('x'));
    for (const [key, end] of [['k-wait-commit', 'COMMIT'], ['k-wait-rollback', 'ROLLBACK']] as const) {
      // Another delivery's transaction, between its key's write and its COMMIT.
      const other = await pool.connect();
      await other.query('BEGIN');
      await other.query(
        "INSERT INTO outbox_idempotency_keys (scope, key, fingerprint, token, boot, expires_at, status, headers, body) VALUES ('', $1, $2, '', '', now() + interval '1 hour', 201, '[]', 'theirs')",
        [key, fingerprint],
      );
      let done = false;
      const waiting = one.send(key).finally(() => (done = true));
      await later(300);
      expect(done).toBe(false);
      await other.query(end);
      other.release();
      const answer = await waiting;
      if (end === 'COMMIT') expect([answer.status, replayed(answer), await answer.text(), await applied(key)]).toEqual([201, true, 'theirs', 0]);
      else expect([answer.status, replayed(answer), await applied(key)]).toEqual([201, false, 1]);
    }
    await one.store.close();
  });

  it('lets the first of two concurrent deliveries to commit apply the write; the other is rolled back and replays it', async () => {
    const one = await app();
    const release = one.hold();
    const slow = one.send('k-race-two', 'ok', 'x', '', true);
    await later(100);
    const quick = await one.send('k-race-two');
    expect([quick.status, replayed(quick)]).toEqual([201, false]);
    const quickBytes = new Uint8Array(await quick.arrayBuffer());
    release();
    const late = await slow;
    expect([late.status, replayed(late)]).toEqual([201, true]);
    expect(new Uint8Array(await late.arrayBuffer())).toEqual(quickBytes);
    expect([one.worked(), await applied('k-race-two')]).toEqual([2, 1]);
    await one.store.close();
  });

  it('rolls the key back with the write when the answer is not kept or the work throws: the retry runs', async () => {
    const one = await app();
    expect((await one.send('k-fail', 'fail')).status).toBe(503);
    await expect(one.send('k-throw', 'throw')).rejects.toThrow('after the write');
    expect([await applied('k-fail'), await applied('k-throw')]).toEqual([0, 0]);
    const keys = await pool.query("SELECT key FROM outbox_idempotency_keys WHERE key IN ('k-fail', 'k-throw')");
    expect(keys.rows).toEqual([]);
    const retry = await one.send('k-fail');
    expect([retry.status, replayed(retry), await applied('k-fail')]).toEqual([201, false, 1]);
    await one.store.close();
  });

  it('leaves the key free when the connection dies mid-transaction', async () => {
    const one = await app();
    await expect(one.send('k-die', 'die')).rejects.toThrow();
    expect(await applied('k-die')).toBe(0);
    const retry = await one.send('k-die');
    expect([retry.status, replayed(retry), await applied('k-die')]).toEqual([201, false, 1]);
    await one.store.close();
  });

  it('answers 409 while a leased claim holds the key, and rolls back a write whose key a leased claim took meanwhile (replaying its answer once it has one)', async () => {
    const one = await app();
    const fingerprint = (body: string) => fingerprintOf(new Request('http://app.test/ok', { method: 'POST', body }), new TextEncoder().encode(body));
    const leased = await one.store.claim({ scope: '', key: 'k-leased', fingerprint: fingerprint('x') });
    expect(leased.kind).toBe('claimed');
    const refused = await one.send('k-leased');
    expect([refused.status, refused.headers.get('retry-after'), one.worked(), await applied('k-leased')]).toEqual([409, '1', 1, 0]);

    const release = one.hold();
    const racing = one.send('k-race', 'ok', 'x', '', true);
    await later(100);
    // A leased claim takes no lock: it gets the key while the transactional write runs.
    expect((await one.store.claim({ scope: '', key: 'k-race', fingerprint: fingerprint('x') })).kind).toBe('claimed');
    release();
    const lost = await racing;
    expect([lost.status, lost.headers.get('retry-after'), await applied('k-race')]).toEqual([409, '1', 0]);

    // When the delivery that took the key meanwhile has finished, its answer is replayed.
    const releaseDone = one.hold();
    const racingDone = one.send('k-race-done', 'ok', 'x', '', true);
    await later(100);
    const other = await one.store.claim({ scope: '', key: 'k-race-done', fingerprint: fingerprint('x') });
    if (other.kind !== 'claimed') throw new Error('the leased claim should have got the key');
    await one.store.finish(other.claim, { status: 201, headers: [['content-type', 'text/plain']], body: new TextEncoder().encode('theirs') });
    releaseDone();
    const answered = await racingDone;
    expect([answered.status, replayed(answered), await answered.text(), await applied('k-race-done')]).toEqual([201, true, 'theirs', 0]);
    await one.store.close();
  });

  it("clears an expired key's row and a dead leased holder's: that delivery is asked to retry, and its retry runs", async () => {
    const shortLived = await app({ ttlMs: 100, leaseMs: 100 });
    expect((await shortLived.send('k-expired')).status).toBe(201);
    await later(200);
    const cleared = await shortLived.send('k-expired', 'ok', 'another payload');
    expect([cleared.status, cleared.headers.get('retry-after'), await applied('k-expired')]).toEqual([409, '1', 1]);
    const reused = await shortLived.send('k-expired', 'ok', 'another payload');
    expect([reused.status, replayed(reused), await applied('k-expired')]).toEqual([201, false, 2]);

    const fingerprint = fingerprintOf(new Request('http://app.test/ok', { method: 'POST', body: 'x' }), new TextEncoder().encode('x'));
    const dead = await shortLived.store.claim({ scope: '', key: 'k-dead', fingerprint });
    if (dead.kind !== 'claimed') throw new Error('the leased claim should have got the key');
    await later(200);
    expect((await shortLived.send('k-dead')).status).toBe(409);
    const taken = await shortLived.send('k-dead');
    expect([taken.status, replayed(taken), await applied('k-dead')]).toEqual([201, false, 1]);
    // The dead holder's claim is fenced off: it cannot record its answer over the new one.
    expect(await shortLived.store.finish(dead.claim, { status: 200, headers: [], body: new Uint8Array() })).toBe(false);
    expect(replayed(await shortLived.send('k-dead'))).toBe(true);
    await shortLived.store.close();
  });

  it("replays to a duplicate whose work fails or answers 409 because its write is there already, and keeps the kit's answer when the handler throws on it", async () => {
    const one = await app();
    expect((await one.send('k-unique', 'unique')).status).toBe(201);
    const thrown = await one.send('k-unique', 'unique');
    expect([thrown.status, replayed(thrown)]).toEqual([201, true]);
    expect((await one.send('k-unique-409', 'unique-409')).status).toBe(201);
    const refused = await one.send('k-unique-409', 'unique-409');
    expect([refused.status, replayed(refused)]).toEqual([201, true]);
    // Another payload: the kit answers 422, which the handler throws on; 422 is still the answer.
    expect((await one.send('k-strict', 'strict')).status).toBe(201);
    expect((await one.send('k-strict', 'strict', 'other')).status).toBe(422);
    expect([await applied('k-unique'), await applied('k-unique-409'), await applied('k-strict')]).toEqual([1, 1, 1]);
    await one.store.close();
  });

  it('keeps scopes and keys with quotes and backslashes apart, stored as sent', async () => {
    const one = await app();
    const key = `it's a \\ "key"`;
    expect((await one.send(key, 'ok', 'x', "o'brien\\")).status).toBe(201);
    expect((await one.send(key, 'ok', 'x', 'other')).headers.get('idempotent-replayed')).toBeNull();
    expect(replayed(await one.send(key, 'ok', 'x', "o'brien\\"))).toBe(true);
    const rows = await pool.query('SELECT scope FROM outbox_idempotency_keys WHERE key = $1 ORDER BY scope', [key]);
    expect(rows.rows.map((row: { scope: string }) => row.scope)).toEqual(["o'brien\\", 'other']);
    await expect(one.send('k-nul', 'ok', 'x', 'nul\0scope')).rejects.toThrow('NUL');
    await one.store.close();
  });

  it('prepares its statements once per connection, and still writes once they are gone (DEALLOCATE)', async () => {
    const single = new pg.Pool({ connectionString: cluster.url, max: 1 });
    const one = await app({}, single);
    expect((await one.send('k-prep-1')).status).toBe(201);
    const prepared = await single.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'sw_outbox_bracket_%'");
    expect(prepared.rows[0]?.n).toBe(3); // BEGIN, the key's write, COMMIT
    await single.query('DEALLOCATE ALL');
    const afterDeallocate = await one.send('k-prep-2');
    expect([afterDeallocate.status, await applied('k-prep-2')]).toEqual([201, 1]);
    expect((await one.send('k-prep-3')).status).toBe(201);
    expect(replayed(await one.send('k-prep-2'))).toBe(true);
    await one.store.close();
    await single.end();
  });

  it('gives up a connection whose closing statement went missing after BEGIN: that write fails, the next ones run', async () => {
    const single = new pg.Pool({ connectionString: cluster.url, max: 1 });
    const one = await app({}, single);
    expect((await one.send('k-gone-1')).status).toBe(201);
    const closing = await single.query<{ name: string }>("SELECT name FROM pg_prepared_statements WHERE name LIKE 'sw_outbox_bracket_%' AND statement LIKE 'INSERT%'");
    expect(closing.rows).toHaveLength(1);
    await single.query(`DEALLOCATE ${closing.rows[0]!.name}`);
    await expect(one.send('k-gone-2')).rejects.toThrow();
    expect(await applied('k-gone-2')).toBe(0);
    for (const key of ['k-gone-2', 'k-gone-3']) expect((await one.send(key)).status).toBe(201);
    expect([await applied('k-gone-2'), await applied('k-gone-3')]).toEqual([1, 1]);
    await one.store.close();
    await single.end();
  });

  it('keeps each copy\'s statements prepared when two copies of the module share a pool (the ES and the CommonJS build)', async () => {
    const single = new pg.Pool({ connectionString: cluster.url, max: 1 });
    const first = await app({}, single);
    vi.resetModules();
    const second = await app({}, single, (await import('../../server/pg')).pgStore);
    for (const [i, one] of [first, second, first, second].entries()) expect((await one.send(`k-copies-${i}`)).status).toBe(201);
    const prepared = await single.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'sw_outbox_bracket_%'");
    expect(prepared.rows[0]?.n).toBe(6); // each copy's three, prepared once: neither finds the other's under its names
    expect([await applied('k-copies-0'), await applied('k-copies-3')]).toEqual([1, 1]);
    await Promise.all([first.store.close(), second.store.close()]);
    await single.end();
  });
});

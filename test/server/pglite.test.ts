// @vitest-environment node
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Transaction } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exactlyOnce, fingerprintOf } from '../../server';
import { pgliteStore } from '../../server/pglite';
import type { FetchHandler, IdempotencyStore } from '../../server';

const dataDir = mkdtempSync(path.join(tmpdir(), 'sw-outbox-pglite-'));

/** One boot of an app on PGlite: every write is a row in `applied`, in the key's transaction. */
async function boot(transactional = false) {
  const db = new PGlite(dataDir);
  await db.exec('CREATE TABLE IF NOT EXISTS applied (id serial PRIMARY KEY, key text)');
  const store: IdempotencyStore<Transaction> = await pgliteStore({ db });
  let gate: Promise<void> = Promise.resolve();
  const handle: FetchHandler = exactlyOnce<Transaction>(
    async (request, context) => {
      const outcome = new URL(request.url).pathname.slice(1);
      await gate;
      return context.transaction(async (tx) => {
        await tx.query('INSERT INTO applied (key) VALUES ($1)', [context.key ?? null]);
        if (outcome === 'throw') throw new Error('after the write');
        return new Response(outcome === 'fail' ? 'down' : `row for ${context.key}`, { status: outcome === 'fail' ? 503 : 201 });
      });
    },
    { store, transactional },
  );
  return {
    db,
    store,
    send: (key: string, outcome = 'ok', body = 'x') => handle(new Request(`http://app.test/${outcome}`, { method: 'POST', headers: { 'Idempotency-Key': `"${key}"` }, body })),
    applied: async (key: string) => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM applied WHERE key = $1', [key])).rows[0]?.n,
    hold: () => {
      let release = () => undefined as void;
      gate = new Promise<void>((resolve) => (release = resolve));
      return () => release();
    },
    close: async () => {
      await store.close();
      await db.close();
    },
  };
}

describe('PGlite store', { timeout: 60_000 }, () => {
  let app: Awaited<ReturnType<typeof boot>>;
  // Opening PGlite compiles its WebAssembly: seconds on a busy machine, past the default hook timeout.
  beforeAll(async () => {
    app = await boot();
  }, 60_000);
  afterAll(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('replays, refuses another payload with 422 and a running key with 409', async () => {
    expect((await app.send('p1')).status).toBe(201);
    const again = await app.send('p1');
    expect([again.status, again.headers.get('idempotent-replayed'), await again.text()]).toEqual([201, 'true', 'row for p1']);
    expect((await app.send('p1', 'ok', 'other')).status).toBe(422);
    const release = app.hold();
    const first = app.send('p2');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await app.send('p2')).status).toBe(409);
    release();
    expect((await first).status).toBe(201);
    expect(await app.applied('p1')).toBe(1);
    expect(await app.applied('p2')).toBe(1);
  });

  it('rolls the write back with the key when the handler throws or answers 5xx, so a retry runs', async () => {
    await expect(app.send('p3', 'throw')).rejects.toThrow('after the write');
    expect((await app.send('p4', 'fail')).status).toBe(503);
    expect(await app.applied('p3')).toBe(0);
    expect(await app.applied('p4')).toBe(0);
    expect((await app.send('p4', 'fail')).headers.get('idempotent-replayed')).toBeNull();
  });

  it('keeps keys across a restart', async () => {
    await app.close();
    app = await boot();
    const again = await app.send('p1');
    expect([again.status, again.headers.get('idempotent-replayed')]).toEqual([201, 'true']);
    expect(await app.applied('p1')).toBe(1);
  });

  it('transactional: claims, writes and records in one transaction; replays, 422, rolls back with the key', async () => {
    await app.close();
    app = await boot(true);
    expect((await app.send('t1')).status).toBe(201);
    const again = await app.send('t1');
    expect([again.status, again.headers.get('idempotent-replayed'), await again.text()]).toEqual([201, 'true', 'row for t1']);
    expect((await app.send('t1', 'ok', 'other')).status).toBe(422);
    expect((await app.send('t2', 'fail')).status).toBe(503);
    await expect(app.send('t3', 'throw')).rejects.toThrow('after the write');
    expect([await app.applied('t1'), await app.applied('t2'), await app.applied('t3')]).toEqual([1, 0, 0]);
    expect((await app.db.query('SELECT key FROM outbox_idempotency_keys WHERE key IN ($1, $2)', ['t2', 't3'])).rows).toEqual([]);
    expect((await app.send('t2')).headers.get('idempotent-replayed')).toBeNull();
    expect(await app.applied('t2')).toBe(1);
  });

  it('takes up at once a key a dead boot left running, and applies it once (leased and transactional)', async () => {
    const fingerprint = fingerprintOf(new Request('http://app.test/ok', { method: 'POST', body: 'x' }), new TextEncoder().encode('x'));
    expect((await app.store.claim({ scope: '', key: 'p5', fingerprint })).kind).toBe('claimed');
    expect((await app.send('p5')).status).toBe(409);
    await app.close();
    app = await boot();
    expect((await app.send('p5')).headers.get('idempotent-replayed')).toBeNull();
    expect((await app.send('p5')).headers.get('idempotent-replayed')).toBe('true');
    expect(await app.applied('p5')).toBe(1);

    // A transactional delivery takes one up too: its insert meets the dead boot's row, which is
    // cleared, and it is asked to retry (409); the retry runs the write, once.
    expect((await app.store.claim({ scope: '', key: 'p6', fingerprint })).kind).toBe('claimed');
    await app.close();
    app = await boot(true);
    const cleared = await app.send('p6');
    expect([cleared.status, cleared.headers.get('retry-after'), await app.applied('p6')]).toEqual([409, '1', 0]);
    const taken = await app.send('p6');
    expect([taken.status, taken.headers.get('idempotent-replayed')]).toEqual([201, null]);
    expect((await app.send('p6')).headers.get('idempotent-replayed')).toBe('true');
    expect(await app.applied('p6')).toBe(1);
  });
});

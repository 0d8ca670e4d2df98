// @vitest-environment node
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exactlyOnce } from '../../server';
import { pgStore } from '../../server/pg';
import { startCluster } from './postgres';
import type { Cluster } from './postgres';
import { startProcess } from './processes';
import type { AppProcess } from './processes';

// Long enough that a loaded machine still sees the key running right after the kill.
const LEASE_MS = 2000;
const KEYS = 20;

let cluster: Cluster;
let pool: pg.Pool;
let apps: AppProcess[] = [];

const startApps = (count: number) =>
  Promise.all(Array.from({ length: count }, () => startProcess('test/server/pg-app.ts', { DATABASE_URL: cluster.url, LEASE_MS: String(LEASE_MS) })));

interface Delivery {
  status: number;
  replayed: boolean;
  body: string;
}

async function deliver(app: AppProcess, key: string, slowMs = 0): Promise<Delivery> {
  const res = await fetch(`${app.url}/writes`, { method: 'POST', headers: { 'Idempotency-Key': `"${key}"`, 'X-Slow-Ms': String(slowMs) }, body: key });
  return { status: res.status, replayed: res.headers.get('idempotent-replayed') === 'true', body: await res.text() };
}

async function appliedCount(key: string): Promise<number> {
  return (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM applied WHERE key = $1', [key])).rows[0]?.n ?? 0;
}

describe('Postgres store, three server processes on one database', { timeout: 60_000 }, () => {
  const firstAnswers = new Map<string, string>();

  beforeAll(async () => {
    cluster = await startCluster();
    pool = new pg.Pool({ connectionString: cluster.url });
    apps = await startApps(3);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.kill()));
    await pool?.end();
    cluster?.stop();
  }, 30_000);

  it('applies each of 20 keys once over 200 concurrent deliveries; the others get 409 or the replay', async () => {
    const deliveries = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const key = `burst-${i % KEYS}`;
        await new Promise((resolve) => setTimeout(resolve, i));
        return { key, ...(await deliver(apps[i % apps.length]!, key, 40)) };
      }),
    );
    for (let k = 0; k < KEYS; k += 1) {
      const key = `burst-${k}`;
      const mine = deliveries.filter((delivery) => delivery.key === key);
      const applied = mine.filter((delivery) => delivery.status === 201 && !delivery.replayed);
      expect(applied, key).toHaveLength(1);
      firstAnswers.set(key, applied[0]!.body);
      for (const other of mine.filter((delivery) => delivery !== applied[0])) {
        expect(other.status === 409 || (other.status === 201 && other.replayed && other.body === applied[0]!.body), `${key}: ${other.status}`).toBe(true);
      }
      expect(await appliedCount(key)).toBe(1);
    }
    // Whether the burst's duplicates overlapped a running delivery depends on the machine's load;
    // two deliveries of one key at once, the first held 300 ms, always do: the second is 409.
    const overlapping = await Promise.all([deliver(apps[0]!, 'overlap', 300), new Promise<Delivery>((resolve) => setTimeout(() => resolve(deliver(apps[1]!, 'overlap', 300)), 100))]);
    expect(overlapping.map((delivery) => delivery.status).sort()).toEqual([201, 409]);
    expect(await appliedCount('overlap')).toBe(1);
  });

  it('takes up the key of a process SIGKILLed mid-request once its lease lapses, and applies it once', async () => {
    const victim = apps[0]!;
    const dying = deliver(victim, 'killed', 5000).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await victim.kill('SIGKILL');
    await dying;
    expect((await deliver(apps[1]!, 'killed')).status).toBe(409);
    const started = Date.now();
    let answer = await deliver(apps[1]!, 'killed');
    while (answer.status === 409 && Date.now() - started < LEASE_MS * 4) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      answer = await deliver(apps[2]!, 'killed');
    }
    expect([answer.status, answer.replayed]).toEqual([201, false]);
    expect(Date.now() - started).toBeLessThan(LEASE_MS * 4);
    expect((await deliver(apps[1]!, 'killed')).replayed).toBe(true);
    expect(await appliedCount('killed')).toBe(1);
    apps[0] = (await startApps(1))[0]!;
  });

  it('rolls back the write of a holder whose lease lapsed (a frozen process): the new holder applies it once', async () => {
    const store = await pgStore({ pool, leaseMs: 300 });
    // No renewals: this holder behaves like a process frozen past its lease.
    const frozen = exactlyOnce<pg.PoolClient>(
      async (_request, context) =>
        context.transaction(async (client) => {
          await client.query('INSERT INTO applied (key) VALUES ($1)', [context.key]);
          await new Promise((resolve) => setTimeout(resolve, 2500));
          return new Response('frozen', { status: 201 });
        }),
      { store: { ...store, renewEveryMs: undefined } },
    );
    const request = () => new Request('http://app.test/writes', { method: 'POST', headers: { 'Idempotency-Key': '"frozen"' }, body: 'frozen' });
    const late = frozen(request());
    await new Promise((resolve) => setTimeout(resolve, 600));
    const taken = await deliver(apps[1]!, 'frozen');
    expect([taken.status, taken.replayed]).toEqual([201, false]);
    const lateAnswer = await late;
    expect([lateAnswer.status, lateAnswer.headers.get('retry-after')]).toEqual([409, '1']);
    expect(await appliedCount('frozen')).toBe(1);
    await store.close();
  });

  it('transactional: of two concurrent deliveries, the first to commit applies the write and the other replays it; a SIGKILLed holder leaves nothing to wait for', async () => {
    const [one, two] = await Promise.all(Array.from({ length: 2 }, () => startProcess('test/server/pg-app.ts', { DATABASE_URL: cluster.url, TRANSACTIONAL: '1' })));
    try {
      const slow = deliver(one!, 'tx-dup', 800);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const quick = await deliver(two!, 'tx-dup');
      const late = await slow;
      expect([quick.status, quick.replayed, late.status, late.replayed, late.body]).toEqual([201, false, 201, true, quick.body]);
      expect(await appliedCount('tx-dup')).toBe(1);

      const dying = deliver(one!, 'tx-killed', 5000).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await one!.kill('SIGKILL');
      await dying;
      // No lease to wait out: the dead holder's claim rolled back with its write.
      const started = Date.now();
      const taken = await deliver(two!, 'tx-killed');
      expect([taken.status, taken.replayed]).toEqual([201, false]);
      expect(Date.now() - started).toBeLessThan(LEASE_MS);
      expect((await deliver(two!, 'tx-killed')).replayed).toBe(true);
      expect(await appliedCount('tx-killed')).toBe(1);
    } finally {
      await Promise.all([one!.kill(), two!.kill()]);
    }
  });

  it('keeps every key across a restart of every process', async () => {
    await Promise.all(apps.map((app) => app.kill('SIGTERM')));
    apps = await startApps(3);
    for (const [key, body] of firstAnswers) {
      const again = await deliver(apps[key.length % 3]!, key);
      expect([again.status, again.replayed, again.body]).toEqual([201, true, body]);
      expect(await appliedCount(key)).toBe(1);
    }
  });
});

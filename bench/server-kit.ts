// npm run bench:server — what sw-outbox/server adds to a write, and that nothing serialises distinct keys.
// 1. Latency: the same write served bare and through the kit (memory, PGlite, Postgres), one request
//    at a time over loopback keep-alive HTTP, the two in turn by blocks of 100; p50/p99 of each, what
//    the kit adds, and kit ÷ bare in writes/s. The kit's writes are `transactional`: claim, write and answer in one transaction.
// 2. Throughput: 1, 2 and 3 kit processes sharing one Postgres, under a fixed number of writes in
//    flight, bare and with the kit, in turn by short slices (and for one process, the kit's store alone: the
//    kit's SQL without its JavaScript). Two cores shared with the load generator cannot
//    show scaling, so during the three-process runs a connection of its own samples pg_stat_activity
//    and pg_locks: deliveries of distinct keys must never wait on one another's locks.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Transaction } from '@electric-sql/pglite';
import pg from 'pg';
import { exactlyOnce, memoryStore } from '../server';
import { pgStore } from '../server/pg';
import { pgliteStore } from '../server/pglite';
import type { FetchHandler } from '../server';
import { nodeHandler } from '../server/node';
import { startCluster } from '../test/server/postgres';
import { startProcess } from '../test/server/processes';
import type { AppProcess } from '../test/server/processes';
import { ownCpuMs, postgresCpuMs, processCpuMs } from './cpu';
import { sampleLockWaits, tally } from './lock-waits';
import type { LockWaitSummary } from './lock-waits';
import { WRITES_TABLE, bareWrite, kitWrite, memoryWrite } from './server-kit-writes';
import { median } from './report';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 2000);
/**
 * Writes each contender is sent, by blocks in turn, before the latencies count. Both get faster for
 * about a thousand writes as V8 optimises them (memory, p50 by window of 100 from a cold start:
 * 0.72 and 0.68 ms at first, 0.20 and 0.23 after 1100), so fewer measured their warm-up too.
 */
const WARMUP = 1000;
/** Sequential writes sent to one contender before the other gets its turn. */
const BLOCK = 100;
const THROUGHPUT_MS = Number(process.env.BENCH_THROUGHPUT_MS ?? 2000);
/**
 * How long each set of processes is sent writes before it is measured: long enough for the JIT to
 * settle. A kit process has more code to optimise than a bare one: after about the writes of a 1 s
 * warm-up (1.5 s at 700 writes/s) it still spent 73 µs a write in the JIT compiler and 43 in GC
 * (perf), against 4 and 17 after 15 s, so runs of a few seconds measured part of its warm-up.
 */
const THROUGHPUT_WARMUP_MS = Number(process.env.BENCH_THROUGHPUT_WARMUP_MS ?? 5000);
/**
 * Rounds of the throughput runs; the median of their kit ÷ bare is printed. One round's ratio swings
 * by ±0.1 on two shared cores (a checkpoint, a new WAL segment zeroed, the other side's JIT landing
 * in one 2 s run), and the median of five still moved by about 0.05 from one run to the next.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
/**
 * Each side's THROUGHPUT_MS of a round is run in this many slices, the sides of a count in turn,
 * so that a slow spell of the machine (a checkpoint, another process) lands on both sides alike: with
 * one 2 s run a side, one round's ratio swung from 0.55 to 0.98.
 */
const SLICES = Number(process.env.BENCH_SLICES ?? 4);
const IN_FLIGHT = 48;
const CONNECTIONS = 18;
const SAMPLE_EVERY_MS = 15;

const agent = new Agent({ keepAlive: true, maxSockets: 256 });
let sequence = 0;

/** One keyed POST; resolves with its status once the body is read. */
function post(url: string): Promise<number> {
  sequence += 1;
  const body = `{"n":${sequence}}`;
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/writes`, { method: 'POST', agent, headers: { 'Idempotency-Key': `"bench-${process.pid}-${sequence}"`, 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function serve(handler: FetchHandler): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(nodeHandler(handler));
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/**
 * Sequential writes to `bare` and `kit` in turn, a block of each at a time, so that a burst of other
 * work on the machine lands on both alike: [p50, p99] in ms of each.
 */
async function latency(bare: FetchHandler, kit: FetchHandler): Promise<Array<[number, number]>> {
  const servers = [await serve(bare), await serve(kit)];
  const times: number[][] = [[], []];
  for (let done = 0; done < WARMUP + SAMPLES; done += BLOCK) {
    for (const [index, server] of servers.entries()) {
      for (let i = 0; i < BLOCK; i += 1) {
        const started = process.hrtime.bigint();
        const status = await post(server.url);
        if (status !== 201) throw new Error(`a benchmark write was answered ${status}`);
        if (done >= WARMUP) times[index]!.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
    }
  }
  await Promise.all(servers.map((server) => server.close()));
  return times.map((one) => {
    one.sort((a, b) => a - b);
    return [percentile(one, 50), percentile(one, 99)];
  });
}

/** `IN_FLIGHT` writes at all times, spread round-robin over `urls`, for `durationMs`: how many were written, and in how many ms. */
async function throughput(urls: string[], durationMs: number): Promise<{ writes: number; ms: number }> {
  const until = Date.now() + durationMs;
  let done = 0;
  let next = 0;
  const worker = async () => {
    while (Date.now() < until) {
      const status = await post(urls[next++ % urls.length]!);
      if (status !== 201) throw new Error(`a benchmark write was answered ${status}`);
      done += 1;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return { writes: done, ms: Date.now() - started };
}

const ms = (value: number) => value.toFixed(3).padStart(8);

/** CPU time (ms) spent during runs: by this load generator, by the server processes, by Postgres. */
interface CpuSpent {
  generator: number;
  servers: number;
  postgres: number;
}

/** Which server a set of processes runs: no kit, the kit's store alone (one process only), or the kit. */
type Side = 'bare' | 'store' | 'kit';

/** One set of server processes: the writes/s of each of its runs, and what they cost. */
interface ProcessSet {
  urls: string[];
  pids: number[];
  rates: number[];
  writes: number;
  cpu: CpuSpent;
}

/** The sets of one process count, and kit ÷ bare (and store alone ÷ bare) of each round. */
interface CountRow {
  count: number;
  sets: Partial<Record<Side, ProcessSet>>;
  ratios: Partial<Record<'kit' | 'store', number[]>>;
}

/** The CPU spent so far by this process, `pids` and Postgres, to subtract from a later reading. */
function cpuNow(pids: number[]): CpuSpent {
  return { generator: ownCpuMs(), servers: pids.reduce((sum, pid) => sum + processCpuMs(pid), 0), postgres: postgresCpuMs() };
}

/**
 * Writes/s for 1, 2 and 3 processes, bare and with the kit, and for one process the kit's store
 * alone (its SQL without the kit's JavaScript: what the kit could reach if its own code cost
 * nothing). Every set of processes is started once; each round measures the sets of each count in
 * turn, by SLICES slices each (their order reversing every slice), so kit ÷ bare is taken within a
 * round that met the same machine: the median of the ROUNDS rounds is printed, with their range, beside the median
 * writes/s of each side.
 */
async function throughputTable(databaseUrl: string, processes: AppProcess[]): Promise<void> {
  const start = async (count: number, side: Side): Promise<ProcessSet> => {
    // The processes share one budget of connections, so what is measured is the processes, not more backends.
    const env = { DATABASE_URL: databaseUrl, SIDE: side, POOL_MAX: String(Math.ceil(CONNECTIONS / count)) };
    const started = await Promise.all(Array.from({ length: count }, () => startProcess('bench/server-kit-app.ts', env)));
    processes.push(...started);
    const urls = started.map((app) => app.url);
    await throughput(urls, THROUGHPUT_WARMUP_MS); // warm-up: pools connect, the JIT settles
    return { urls, pids: started.map((app) => app.child.pid!), rates: [], writes: 0, cpu: { generator: 0, servers: 0, postgres: 0 } };
  };
  const rows: CountRow[] = [];
  for (const count of [1, 2, 3]) {
    const sides: Side[] = count === 1 ? ['bare', 'store', 'kit'] : ['bare', 'kit'];
    const sets: CountRow['sets'] = {};
    for (const side of sides) sets[side] = await start(count, side);
    rows.push({ count, sets, ratios: {} });
  }
  // The three-process runs are sampled bare too: the sampler's queries cost the machine some CPU
  // (pg_locks takes every lock-manager partition), and both sides of the ratio should pay it alike.
  const sampled = { bare: [] as LockWaitSummary[], kit: [] as LockWaitSummary[] };
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const row of rows) {
      const sides = Object.keys(row.sets) as Side[];
      const spent = new Map<Side, { writes: number; ms: number }>(sides.map((side) => [side, { writes: 0, ms: 0 }]));
      for (let slice = 0; slice < SLICES; slice += 1) {
        for (const side of (round + slice) % 2 === 0 ? sides : [...sides].reverse()) {
          const set = row.sets[side]!;
          const sampler = row.count === 3 && side !== 'store' ? await sampleLockWaits(databaseUrl, SAMPLE_EVERY_MS) : undefined;
          const before = cpuNow(set.pids);
          const { writes, ms } = await throughput(set.urls, THROUGHPUT_MS / SLICES);
          const after = cpuNow(set.pids);
          const total = spent.get(side)!;
          total.writes += writes;
          total.ms += ms;
          set.writes += writes;
          for (const part of ['generator', 'servers', 'postgres'] as const) set.cpu[part] += after[part] - before[part];
          if (sampler !== undefined) sampled[side as 'bare' | 'kit'].push(await sampler.stop());
        }
      }
      for (const [side, { writes, ms }] of spent) row.sets[side]!.rates.push(writes / (ms / 1000));
      for (const side of ['kit', 'store'] as const) {
        if (row.sets[side] !== undefined) (row.ratios[side] ??= []).push(row.sets[side].rates[round]! / row.sets.bare!.rates[round]!);
      }
    }
  }
  console.log(
    `\nWrites/s on one Postgres, ${IN_FLIGHT} writes in flight over ${CONNECTIONS} connections in all; ${ROUNDS} rounds of ${THROUGHPUT_MS / 1000} s each side, the sides of a count in turn by slices of ${THROUGHPUT_MS / SLICES / 1000} s`,
  );
  console.log('processes  bare w/s   kit w/s  kit ÷ bare (range of the rounds)  kit vs one kit process');
  const rateOf = (set: ProcessSet | undefined) => median(set?.rates ?? []) ?? Number.NaN;
  const ratioOf = (ratios: number[]) => `${(median(ratios) ?? Number.NaN).toFixed(2).padStart(10)} ${`(${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`.padEnd(22)}`;
  const oneKit = rateOf(rows[0]!.sets.kit);
  for (const { count, sets, ratios } of rows) {
    console.log(`${String(count).padEnd(9)}${rateOf(sets.bare).toFixed(0).padStart(9)} ${rateOf(sets.kit).toFixed(0).padStart(9)} ${ratioOf(ratios.kit!)} ${(rateOf(sets.kit) / oneKit).toFixed(2)}x`);
  }
  const one = rows[0]!;
  console.log(`1, the kit's store alone (its SQL, none of the kit's JavaScript): ${rateOf(one.sets.store).toFixed(0)} w/s; store alone ÷ bare ${ratioOf(one.ratios.store!).trim()}`);
  printCpu(rows);
  printLockWaits('kit', sampled.kit);
  printLockWaits('bare', sampled.bare);
}

/** Where each side's CPU went, per write: what kit ÷ bare is made of when the machine is the limit. */
function printCpu(rows: CountRow[]): void {
  console.log('\nCPU per write over all rounds (µs): this load generator / the server processes / Postgres (the sampler\'s backend with it)');
  console.log('processes  bare gen  servers postgres      kit gen  servers postgres     kit − bare   ("store": the store alone in the kit\'s columns)');
  const perWrite = (set: ProcessSet) => [set.cpu.generator, set.cpu.servers, set.cpu.postgres].map((ms) => (ms * 1000) / Math.max(1, set.writes));
  const columns = (values: number[]) => values.map((value) => value.toFixed(0).padStart(8)).join(' ');
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  for (const { count, sets } of rows) {
    const bareCpu = perWrite(sets.bare!);
    for (const side of ['kit', 'store'] as const) {
      if (sets[side] === undefined) continue;
      const cpu = perWrite(sets[side]);
      const label = side === 'store' ? `${count} store` : String(count);
      console.log(`${label.padEnd(9)}${side === 'store' ? ' '.repeat(26) : columns(bareCpu)}     ${columns(cpu)}   ${(sum(cpu) - sum(bareCpu)).toFixed(0).padStart(9)}`);
    }
  }
}

/**
 * The kinds of heavyweight lock a delivery waits on when another transaction has a row or an index
 * entry it needs (a key's row being inserted: `transactionid`; a row being changed: `tuple`; an
 * insert's `ON CONFLICT`: `spectoken`) or an advisory lock. Any other kind is not a key's: `extend`
 * is two inserts growing one table at once, as bare inserts do too.
 */
const KEY_LOCKS = ['transactionid', 'tuple', 'spectoken', 'advisory'];

/** The lock-wait proof: what the three-process runs of `who` (kit, or bare to compare) waited on, summed over their rounds. */
function printLockWaits(who: 'kit' | 'bare', rounds: LockWaitSummary[]): void {
  const samples = rounds.reduce((sum, round) => sum + round.samples, 0);
  const active = rounds.reduce((sum, round) => sum + round.activeAverage * round.samples, 0) / Math.max(1, samples);
  const summed = (of: (round: LockWaitSummary) => Map<string, number>) => {
    const counts = new Map<string, number>();
    for (const round of rounds) for (const [name, n] of of(round)) tally(counts, name, n);
    return counts;
  };
  const total = (counts: Iterable<[string, number]>) => [...counts].reduce((sum, [, n]) => sum + n, 0);
  const waitKinds = summed((round) => round.lockWaitKinds);
  const ungrantedKinds = summed((round) => round.ungrantedKinds);
  const events = summed((round) => round.waitEvents);
  const lockWaits = total(waitKinds);
  const ungranted = total(ungrantedKinds);
  const listed = (counts: Map<string, number>) => (counts.size === 0 ? '' : ` (${[...counts].map(([kind, n]) => `${kind} ${n}`).join(', ')})`);
  const onKeys = total([...waitKinds, ...ungrantedKinds].filter(([kind]) => KEY_LOCKS.includes(kind.split(' ')[0]!)));
  const top = [...events].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([event, n]) => `${event} ${((100 * n) / Math.max(1, samples * active)).toFixed(0)}%`);
  console.log(`\nLock waits during the 3-process ${who} runs (every key distinct): ${samples} samples of pg_stat_activity and pg_locks, one every ${SAMPLE_EVERY_MS} ms`);
  console.log(`  backends running a statement, per sample: ${active.toFixed(1)}; what they waited on: ${top.join(', ')}`);
  console.log(`  backend-samples waiting on a lock: ${lockWaits}${listed(waitKinds)}; ungranted pg_locks: ${ungranted}${listed(ungrantedKinds)}`);
  console.log(
    `  of those, waits on another transaction's row, index entry or advisory lock (${KEY_LOCKS.join(', ')}): ${onKeys}${onKeys === 0 && who === 'kit' ? " (no delivery of one key ever waited on another key's)" : ''}`,
  );
  for (const wait of [...new Set(rounds.flatMap((round) => round.waits))].slice(0, 5)) console.log(`  waited: ${wait}`);
}

async function main(): Promise<void> {
  const cluster = await startCluster();
  const pglitePath = mkdtempSync(path.join(tmpdir(), 'sw-outbox-bench-'));
  const processes: AppProcess[] = [];
  try {
    const pool = new pg.Pool({ connectionString: cluster.url, max: 16 });
    await pool.query(WRITES_TABLE);
    const pglite = new PGlite(pglitePath);
    await pglite.exec(WRITES_TABLE);
    const contenders: Array<[string, FetchHandler, FetchHandler]> = [
      ['memory', memoryWrite, exactlyOnce<undefined>(memoryWrite, { store: memoryStore() })],
      ['PGlite', bareWrite(pglite), exactlyOnce(kitWrite<Transaction>(), { store: await pgliteStore({ db: pglite }), transactional: true })],
      ['Postgres', bareWrite(pool), exactlyOnce(kitWrite<pg.PoolClient>(), { store: await pgStore({ pool }), transactional: true })],
    ];
    console.log(`Latency per write, ${SAMPLES} sequential keyed POSTs each on loopback, bare and kit in turn by blocks of ${BLOCK} (ms); kit ÷ bare in writes/s (bare p50 ÷ kit p50)`);
    console.log('store       bare p50  bare p99   kit p50   kit p99 added p50 added p99  kit ÷ bare');
    for (const [name, bare, kit] of contenders) {
      const [[bare50, bare99], [kit50, kit99]] = (await latency(bare, kit)) as [[number, number], [number, number]];
      console.log(`${name.padEnd(10)}${ms(bare50)}  ${ms(bare99)}  ${ms(kit50)}  ${ms(kit99)}  ${ms(kit50 - bare50)}  ${ms(kit99 - bare99)}  ${(bare50 / kit50).toFixed(2).padStart(9)}`);
    }
    await pool.end();
    await pglite.close();

    await throughputTable(cluster.url, processes);
  } finally {
    await Promise.all(processes.map((app) => app.kill()));
    agent.destroy();
    cluster.stop();
    rmSync(pglitePath, { recursive: true, force: true });
  }
}

await main();

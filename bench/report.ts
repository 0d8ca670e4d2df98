// What `npm run bench` reports from its rows: the table, the ratios against their targets, and the
// same figures as bench/results.json and a chart, bench/results.svg.
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { drawChart, type ChartRow } from './chart';

/** One measured scenario of one contender. */
export interface Row {
  scenario: string;
  contender: string;
  latencyMs: number;
  count: number;
  ms: number;
  p50?: number;
  p95?: number;
  workerHeapMb?: number[];
  /** Median ms from an answer to the next write's arrival on the same connection (bench/server.ts, gapsMs). */
  gapP50?: number;
}

/** The middle of `values` (the upper one of an even count); undefined when there are none. */
export function median(values: number[]): number | undefined {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(2));

/** Looks a row up by what it measured. */
function finder(rows: Row[]) {
  return (scenario: string, contender: string, latencyMs: number): Row | undefined =>
    rows.find((row) => row.scenario === scenario && row.contender === contender && row.latencyMs === latencyMs);
}

/** The chart's rows: each measure's contenders in ms per write (the online ones as p50 ms), and its target. */
function chartRows(rows: Row[], targets: readonly (readonly [string, number, string])[], isMet: (value: number, target: string) => boolean): ChartRow[] {
  const find = finder(rows);
  const perWrite = (row: Row | undefined) => (row ? row.ms / row.count : Number.NaN);
  const ratio = (index: number, label: string) => ({ label, value: targets[index]![1], target: targets[index]![2], met: isMet(targets[index]![1], targets[index]![2]) });
  const scale = rows.filter((row) => row.scenario === 'scale');
  return [
    { measure: 'online POST, +0 ms (p50)', unit: 'ms', bars: [{ contender: 'sw-outbox', value: find('online', 'outbox', 0)!.p50! }, { contender: 'durable floor', value: find('online', 'durable', 0)!.p50! }, { contender: 'pass-through worker', value: find('online', 'pass', 0)!.p50! }, { contender: 'no worker', value: find('online', 'none', 0)!.p50! }], ratio: ratio(0, 'over pass-through, ms') },
    { measure: 'online POST, +20 ms (p50)', unit: 'ms', bars: [{ contender: 'sw-outbox', value: find('online', 'outbox', 20)!.p50! }, { contender: 'durable floor', value: find('online', 'durable', 20)!.p50! }, { contender: 'pass-through worker', value: find('online', 'pass', 20)!.p50! }, { contender: 'no worker', value: find('online', 'none', 20)!.p50! }], ratio: ratio(1, 'over pass-through, ms') },
    { measure: 'drain, +0 ms', unit: 'ms', bars: [{ contender: 'sw-outbox', value: perWrite(find('drain', 'outbox', 0)) }, { contender: 'plain fetch ×6', value: perWrite(find('drain', 'fetch floor', 0)) }, { contender: 'Workbox', value: perWrite(find('drain', 'workbox', 0)) }], ratio: ratio(2, 'sw-outbox / fetch') },
    { measure: 'drain, +20 ms', unit: 'ms', bars: [{ contender: 'sw-outbox', value: perWrite(find('drain', 'outbox', 20)) }, { contender: 'plain fetch ×6', value: perWrite(find('drain', 'fetch floor', 20)) }, { contender: 'Workbox', value: perWrite(find('drain', 'workbox', 20)) }], ratio: ratio(3, 'sw-outbox / fetch') },
    { measure: 'enqueue offline', unit: 'ms', bars: [{ contender: 'sw-outbox', value: perWrite(find('enqueue', 'outbox', 0)) }, { contender: 'worker storing nothing', value: perWrite(find('enqueue', 'sw floor', 0)) }, { contender: 'Workbox', value: perWrite(find('enqueue', 'workbox', 0)) }], ratio: ratio(4, 'sw-outbox / floor') },
    { measure: 'drain on the kit, +20 ms', unit: 'ms', bars: [{ contender: 'batched', value: perWrite(find('batch', 'batched', 20)) }, { contender: 'one request per write', value: perWrite(find('batch', 'one per write', 20)) }, { contender: 'plain fetch ×6', value: perWrite(find('drain', 'fetch floor', 20)) }], ratio: ratio(5, 'batched / fetch') },
    { measure: 'scale: drain per write', unit: 'ms', bars: scale.map((row) => ({ contender: `${row.count} entries`, value: perWrite(row) })), ratio: ratio(6, 'largest / smallest') },
    { measure: 'scale: worker live heap', unit: 'MB', bars: scale.map((row) => ({ contender: `${row.count} entries`, value: Math.max(...(row.workerHeapMb ?? [Number.NaN])) })), ratio: ratio(7, 'MB at the largest') },
  ];
}

/** Prints one line per measured row. */
export function printRows(rows: Row[]): void {
  console.log('\nscenario  contender     +latency  count     total ms   p50 ms  p95 ms  per write µs');
  for (const row of rows) {
    console.log(
      [row.scenario.padEnd(9), row.contender.padEnd(13), `${row.latencyMs} ms`.padStart(8), String(row.count).padStart(6), fmt(row.ms).padStart(11),
        (row.p50 === undefined ? '' : fmt(row.p50)).padStart(8), (row.p95 === undefined ? '' : fmt(row.p95)).padStart(7),
        String(Math.round((row.ms / row.count) * 1000)).padStart(13), row.gapP50 === undefined ? '' : `  answer → next write on its connection p50 ${fmt(row.gapP50)} ms`, row.workerHeapMb ? `  worker live heap ${Math.min(...row.workerHeapMb)}–${Math.max(...row.workerHeapMb)} MB` : ''].join(' '),
    );
  }
}

/** Prints the table and the ratios, and writes results.json and results.svg beside this file. */
export function report(rows: Row[], chromium: string, scale: number): void {
  const find = finder(rows);
  const ratios = {
    enqueueVsWorkbox: find('enqueue', 'workbox', 0)!.ms / find('enqueue', 'outbox', 0)!.ms,
    enqueueVsIdbFloor: find('enqueue', 'outbox', 0)!.ms / find('enqueue', 'idb floor', 0)!.ms,
    enqueueVsSwFloor: find('enqueue', 'outbox', 0)!.ms / find('enqueue', 'sw floor', 0)!.ms,
    drainVsWorkbox0: find('drain', 'workbox', 0)!.ms / find('drain', 'outbox', 0)!.ms,
    drainVsWorkbox20: find('drain', 'workbox', 20)!.ms / find('drain', 'outbox', 20)!.ms,
    drainVsFetchFloor0: find('drain', 'outbox', 0)!.ms / find('drain', 'fetch floor', 0)!.ms,
    drainVsFetchFloor20: find('drain', 'outbox', 20)!.ms / find('drain', 'fetch floor', 20)!.ms,
    onlineP50OverPassMs0: find('online', 'outbox', 0)!.p50! - find('online', 'pass', 0)!.p50!,
    onlineP50OverPassMs20: find('online', 'outbox', 20)!.p50! - find('online', 'pass', 20)!.p50!,
    durableP50OverPassMs0: find('online', 'durable', 0)!.p50! - find('online', 'pass', 0)!.p50!,
    durableP50OverPassMs20: find('online', 'durable', 20)!.p50! - find('online', 'pass', 20)!.p50!,
    batchedVsFetchFloor0: find('batch', 'batched', 0)!.ms / find('drain', 'fetch floor', 0)!.ms,
    batchedVsFetchFloor20: find('batch', 'batched', 20)!.ms / find('drain', 'fetch floor', 20)!.ms,
    verifiedVsKnown0: find('versions', 'verified', 0)!.ms / find('versions', 'known', 0)!.ms,
    verifiedVsKnown20: find('versions', 'verified', 20)!.ms / find('versions', 'known', 20)!.ms,
  };
  const scaleRows = rows.filter((row) => row.scenario === 'scale');
  const perEntryUs = scaleRows.map((row) => Math.round((row.ms / row.count) * 1000));

  printRows(rows);
  const heapAt = (row: Row | undefined) => (row?.workerHeapMb ? Math.max(...row.workerHeapMb) : Number.NaN);
  const scaleFirst = scaleRows[0];
  const scaleLast = scaleRows.at(-1);
  const scaleGrowth = perEntryUs.at(-1)! / perEntryUs[0]!;
  // A row with no target prints its figure only: it may well be negative (sw-outbox ahead of its floor).
  const noTarget = '-';
  // The targets of the hot path: sw-outbox beside the floors (what a worker, or the network, costs anyway).
  const targets = [
    ['online p50 over pass-through, +0 ms (ms)', ratios.onlineP50OverPassMs0, '<= 0.5'],
    ['online p50 over pass-through, +20 ms (ms)', ratios.onlineP50OverPassMs20, '<= 0.5'],
    ['drain +0 ms: sw-outbox / fetch floor', ratios.drainVsFetchFloor0, '<= 1.5'],
    ['drain +20 ms: sw-outbox / fetch floor', ratios.drainVsFetchFloor20, '<= 1.15'],
    ['enqueue: sw-outbox / sw floor', ratios.enqueueVsSwFloor, '<= 1.3'],
    ['drain +20 ms, batched on the kit / fetch floor', ratios.batchedVsFetchFloor20, '<= 0.3'],
    [`scale: µs per write at ${scaleLast?.count} / at ${scaleFirst?.count}`, scaleGrowth, '<= 1.1'],
    [`scale: worker heap at ${scaleLast?.count} entries (MB)`, heapAt(scaleLast), '<= 1.5'],
    ['(no target) durable floor over pass, +0 ms (ms)', ratios.durableP50OverPassMs0, noTarget],
    ['(no target) durable floor over pass, +20 ms (ms)', ratios.durableP50OverPassMs20, noTarget],
    ['(no target) enqueue: Workbox / sw-outbox', ratios.enqueueVsWorkbox, noTarget],
    ['(no target) drain +20 ms: Workbox / sw-outbox', ratios.drainVsWorkbox20, noTarget],
    ['(no target) drain +0 ms, batched on the kit / fetch floor', ratios.batchedVsFetchFloor0, noTarget],
    ['(no target) drain +0 ms: verified / versions known', ratios.verifiedVsKnown0, noTarget],
    ['(no target) drain +20 ms: verified / versions known', ratios.verifiedVsKnown20, noTarget],
  ] as const;
  const isMet = (value: number, target: string): boolean => {
    const [op, bound] = target.split(' ') as [string, string];
    return op === '>=' ? value >= Number(bound) : value <= Number(bound);
  };
  console.log('\nratio                                              value   target');
  for (const [name, value, target] of targets) {
    const verdict = target === noTarget ? '' : isMet(value, target) ? 'met' : 'MISSED';
    console.log(`${name.padEnd(50)} ${value.toFixed(2).padStart(7)}   ${target.padEnd(7)} ${verdict}`.trimEnd());
  }
  writeFileSync(new URL('./results.svg', import.meta.url), drawChart(`sw-outbox benchmark (${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, ms per write unless said)`, chartRows(rows, targets, isMet)));
  console.log(`\nscale: µs per write for ${scaleRows.map((row) => row.count).join(' / ')} entries: ${perEntryUs.join(' / ')}`);
  writeFileSync(
    new URL('./results.json', import.meta.url),
    `${JSON.stringify({ date: new Date().toISOString(), cores: cpus().length, chromium, scale, rows, ratios, perEntryUs }, null, 2)}\n`,
  );
}

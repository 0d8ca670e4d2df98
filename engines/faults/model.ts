// The model the fault schedule is checked against, and the figures a run reports: per item, the
// notes the tabs wrote, in order, against the writes the server's audit log says it applied.
import type { WriteRecord } from '../demo-server';
import { faultKinds, type FaultKind } from './plan';

/** What the tabs wrote: per item id, its notes in the order they were written. */
export class WriteModel {
  private readonly notes = new Map<number, string[]>();
  private count = 0;

  constructor(ids: number[]) {
    for (const id of ids) this.notes.set(id, []);
  }

  /** Records a write the page accepted (the server's answer or the worker's `202 queued`). */
  wrote(id: number, note: string): void {
    this.notes.get(id)!.push(note);
    this.count++;
  }

  get written(): number {
    return this.count;
  }

  /**
   * Compares the model with the server's audit log. Lost: a note written and never applied.
   * Duplicated: a note applied more than once. Out of order: an item whose notes, each at its
   * first application, do not keep the order they were written in.
   */
  check(writes: WriteRecord[]): Pick<FaultFigures, 'lost' | 'duplicated' | 'outOfOrder'> {
    let lost = 0;
    let duplicated = 0;
    let outOfOrder = 0;
    for (const [id, notes] of this.notes) {
      const applied = writes.filter((write) => write.method === 'PATCH' && write.todoId === id).map((write) => (JSON.parse(write.body) as { notes: string }).notes);
      lost += notes.filter((note) => !applied.includes(note)).length;
      duplicated += applied.length - new Set(applied).size;
      const firsts = applied.filter((note, index) => applied.indexOf(note) === index);
      if (JSON.stringify(firsts) !== JSON.stringify(notes.filter((note) => firsts.includes(note)))) outOfOrder++;
    }
    return { lost, duplicated, outOfOrder };
  }
}

/** What a run of the schedule reports. */
export interface FaultFigures {
  engine: string;
  seed: number;
  steps: number;
  writesTried: number;
  /** Faults injected, by kind. */
  faults: Partial<Record<FaultKind, number>>;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  /** How many tabs read the same list as the server, of how many. */
  tabsEqual: number;
  tabs: number;
  seconds: number;
}

/** The figures on one line, as the suite and the soak print them. */
export function formatFigures(figures: FaultFigures): string {
  const injected = Object.values(figures.faults).reduce((sum, n) => sum + n, 0);
  return (
    `fault schedule in ${figures.engine} (seed ${figures.seed}, ${figures.steps} steps, ${figures.seconds.toFixed(0)} s): ` +
    `writes tried ${figures.writesTried}, faults injected ${injected} ${JSON.stringify(figures.faults)}, ` +
    `lost ${figures.lost}, duplicated ${figures.duplicated}, out of order ${figures.outOfOrder}, tabs equal to the server ${figures.tabsEqual}/${figures.tabs}`
  );
}

/**
 * What is wrong with a run: anything lost, doubled or out of order, a tab that differs from the
 * server, too few writes to prove much, and, when `everyKind`, a kind of fault that never came.
 */
export function faultProblems(figures: FaultFigures, options: { everyKind: boolean }): string[] {
  const problems: string[] = [];
  if (figures.lost) problems.push(`${figures.lost} writes lost`);
  if (figures.duplicated) problems.push(`${figures.duplicated} writes applied twice`);
  if (figures.outOfOrder) problems.push(`${figures.outOfOrder} items' writes out of order`);
  if (figures.tabsEqual !== figures.tabs) problems.push(`${figures.tabs - figures.tabsEqual} of ${figures.tabs} tabs differ from the server`);
  if (figures.writesTried <= figures.steps / 3) problems.push(`only ${figures.writesTried} writes in ${figures.steps} steps`);
  if (options.everyKind) {
    const never = faultKinds.filter((kind) => !figures.faults[kind]);
    if (never.length) problems.push(`never injected: ${never.join(', ')}`);
  }
  return problems;
}

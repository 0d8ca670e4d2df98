// The fault schedule's plan and model check (engines/faults), without a browser: the same seed
// gives the same plan, the chosen seeds meet every kind of fault, and the check counts what the
// server's audit log shows.
import { describe, expect, it } from 'vitest';
import type { WriteRecord } from '../engines/demo-server';
import { chromiumSchedule, faultProblems, kindsMissing, planFaults, shortSchedule, soakSchedule, WriteModel, type FaultFigures } from '../engines/faults';

const shape = { tabs: 2, items: 8 };

function patch(todoId: number, notes: string): WriteRecord {
  return { method: 'PATCH', path: `/api/todos/${todoId}`, todoId, idempotencyKey: crypto.randomUUID(), status: 200, body: JSON.stringify({ notes }) } as WriteRecord;
}

describe('the fault plan', () => {
  it('is the same for the same seed, and another for another', () => {
    expect(planFaults({ ...shape, ...shortSchedule })).toEqual(planFaults({ ...shape, ...shortSchedule }));
    expect(planFaults({ ...shape, ...shortSchedule, seed: shortSchedule.seed + 1 })).not.toEqual(planFaults({ ...shape, ...shortSchedule }));
  });

  it('meets every kind of fault in the short, the Chromium and the soak schedules', () => {
    for (const schedule of [shortSchedule, chromiumSchedule, soakSchedule]) expect(kindsMissing(planFaults({ ...shape, ...schedule }))).toEqual([]);
  });

  it('keeps its own state: no 5xx or update while the server is down, no update offline, kills and restarts alternate', () => {
    let up = true;
    let online = true;
    for (const step of planFaults({ ...shape, ...soakSchedule })) {
      if (step.kind === 'server 5xx') expect(up).toBe(true);
      if (step.kind === 'worker updated') expect(up && online).toBe(true);
      if (step.kind === 'server killed' || step.kind === 'server restarted') {
        expect(step.kind === 'server killed').toBe(up);
        up = !up;
      }
      if (step.kind === 'network off' || step.kind === 'network on') {
        expect(step.kind === 'network off').toBe(online);
        online = !online;
      }
    }
  });
});

describe('the model check', () => {
  it('counts a lost, a doubled and an out-of-order write', () => {
    const model = new WriteModel([1, 2, 3]);
    for (const [id, note] of [[1, 'a'], [1, 'b'], [2, 'c'], [2, 'd'], [3, 'e']] as const) model.wrote(id, note);
    const applied = [patch(1, 'a'), patch(1, 'b'), patch(1, 'b'), patch(2, 'd'), patch(2, 'c')];
    expect(model.check(applied)).toEqual({ lost: 1, duplicated: 1, outOfOrder: 1 });
    expect(model.check([...applied.slice(0, 2), patch(2, 'c'), patch(2, 'd'), patch(3, 'e')])).toEqual({ lost: 0, duplicated: 0, outOfOrder: 0 });
  });

  it('names every problem of a run', () => {
    const clean: FaultFigures = { engine: 'webkit', seed: 1, steps: 9, writesTried: 6, faults: { 'network off': 1 }, lost: 0, duplicated: 0, outOfOrder: 0, tabsEqual: 2, tabs: 2, seconds: 1 };
    expect(faultProblems(clean, { everyKind: false })).toEqual([]);
    expect(faultProblems({ ...clean, lost: 1, tabsEqual: 1, writesTried: 3 }, { everyKind: false })).toEqual(['1 writes lost', '1 of 2 tabs differ from the server', 'only 3 writes in 9 steps']);
    expect(faultProblems(clean, { everyKind: true })[0]).toMatch(/^never injected: network on, server 5xx/);
  });
});

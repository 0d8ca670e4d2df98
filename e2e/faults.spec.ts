// The fault suite in Chromium: the seeded schedule of engines/faults (writes from two tabs over
// many items while the network drops, the server fails, dies and comes back, the worker is
// stopped, the browser is relaunched and the worker is updated), then the server checked against
// a model of what was written. Firefox and WebKit run the same schedule in engines/run.ts.
// FAULT_STEPS and FAULT_SEED pick another schedule; `npm run soak` runs a long one in any engine.
import { test, expect } from '@playwright/test';
import { launchChromium } from '../engines/chromium';
import { chromiumSchedule, faultProblems, formatFigures, runFaultsInEngine, scheduleFromEnv } from '../engines/faults';

const schedule = scheduleFromEnv(chromiumSchedule);

test('fault suite: nothing lost, nothing doubled, order kept, every tab equal to the server', async () => {
  test.setTimeout(90_000 + schedule.steps * 2_500);
  const figures = await runFaultsInEngine(launchChromium, 'chromium', schedule);
  console.log(formatFigures(figures));
  expect(faultProblems(figures, schedule)).toEqual([]);
});

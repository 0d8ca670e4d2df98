// The seeded fault schedule, written once and run in every engine: by the Playwright suite
// (e2e/faults.spec.ts, Chromium), the cross-engine runner (engines/run.ts) and the soak (engines/soak.ts).
export { planFaults, kindsMissing, faultKinds, scheduleFromEnv, shortSchedule, chromiumSchedule, soakSchedule, type FaultKind, type Schedule, type Step } from './plan';
export { WriteModel, formatFigures, faultProblems, type FaultFigures } from './model';
export { runFaultSchedule, runFaultsInEngine, type FaultRunOptions } from './suite';

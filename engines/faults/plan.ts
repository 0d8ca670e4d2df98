// The seeded fault schedule, as a plan made before any browser starts: the same seed and length
// give the same steps in every engine, and what an engine does with each step is the runner's.

/** Every kind of fault the schedule injects, named as the figures count them. */
export const faultKinds = [
  'network off',
  'network on',
  'server 5xx',
  'server killed',
  'server restarted',
  'worker stopped',
  'browser relaunched',
  'worker updated',
] as const;

export type FaultKind = (typeof faultKinds)[number];

/** A write from one tab: a PATCH of one item's `notes`, the note named in writing order. */
export interface WriteStep {
  kind: 'write';
  tab: number;
  /** The item's index among the items the run creates first. */
  item: number;
  note: string;
}

/** The next `count` writes the server takes answer `status`, with `Retry-After` when given. */
export interface ServerErrorStep {
  kind: 'server 5xx';
  count: number;
  status: 500 | 503;
  retryAfter?: string;
}

/** Any other fault: what to do is all in its kind. `worker updated` carries which update it is. */
export interface FaultStep {
  kind: Exclude<FaultKind, 'server 5xx'>;
  /** For `worker updated`: 1 for the first update, and so on (each new worker differs). */
  update?: number;
}

/** One step of the schedule and the pause after it. */
export type Step = (WriteStep | ServerErrorStep | FaultStep) & { pauseMs: number };

export interface PlanOptions {
  seed: number;
  steps: number;
  /** How many tabs write. */
  tabs: number;
  /** How many items the writes spread over. */
  items: number;
}

/** A small seeded generator (mulberry32): the same seed gives the same numbers. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The schedule of `steps` rolls: 60% writes, then network toggles, 5xx runs, server kills and
 * restarts, worker stops, browser relaunches and worker updates. A roll that cannot apply (a 5xx
 * while the server is down, an update the dead server cannot serve) is dropped, so a plan may hold
 * fewer steps than rolls.
 */
export function planFaults({ seed, steps, tabs, items }: PlanOptions): Step[] {
  const rand = seededRandom(seed);
  const plan: Step[] = [];
  let offline = false;
  let serverUp = true;
  let written = 0;
  let updates = 0;
  for (let roll = 0; roll < steps; roll++) {
    const r = rand();
    let step: WriteStep | ServerErrorStep | FaultStep;
    if (r < 0.6) {
      step = { kind: 'write', tab: Math.floor(rand() * tabs), item: Math.floor(rand() * items), note: `w${written++}` };
    } else if (r < 0.7) {
      offline = !offline;
      step = { kind: offline ? 'network off' : 'network on' };
    } else if (r < 0.77) {
      if (!serverUp) continue;
      const retryAfter = rand() < 0.5 ? { retryAfter: '1' } : {};
      const count = 1 + Math.floor(rand() * 4);
      step = { kind: 'server 5xx', count, status: rand() < 0.5 ? 500 : 503, ...retryAfter };
    } else if (r < 0.84) {
      serverUp = !serverUp;
      step = { kind: serverUp ? 'server restarted' : 'server killed' };
    } else if (r < 0.9) {
      step = { kind: 'worker stopped' };
    } else if (r < 0.95) {
      step = { kind: 'browser relaunched' };
    } else {
      // A new worker script can only be fetched from a live server.
      if (offline || !serverUp) continue;
      step = { kind: 'worker updated', update: ++updates };
    }
    plan.push({ ...step, pauseMs: Math.floor(rand() * 150) });
  }
  return plan;
}

/** The kinds of fault a plan never injects. */
export function kindsMissing(plan: Step[]): FaultKind[] {
  return faultKinds.filter((kind) => !plan.some((step) => step.kind === kind));
}

/** A seed and a length: which schedule to run. */
export interface Schedule {
  seed: number;
  steps: number;
}

/** The short schedule `npm test` runs in Firefox and WebKit: 30 rolls that meet every kind of fault once or more. */
export const shortSchedule: Schedule = { seed: 59, steps: 30 };

/** Chromium's schedule in the Playwright suite: 80 rolls that meet every kind of fault. */
export const chromiumSchedule: Schedule = { seed: 4, steps: 80 };

/** The soak's: the Playwright suite's seed, long. */
export const soakSchedule: Schedule = { seed: 4, steps: 600 };

/**
 * The schedule FAULT_SEED and FAULT_STEPS ask for, `fallback` for what they leave out.
 * `everyKind` holds when it is the fallback's seed: its meeting every kind is then checked.
 */
export function scheduleFromEnv(fallback: Schedule): Schedule & { everyKind: boolean } {
  const seed = Number(process.env.FAULT_SEED ?? fallback.seed);
  const steps = Number(process.env.FAULT_STEPS ?? fallback.steps);
  if (!Number.isInteger(seed) || !Number.isInteger(steps) || steps < 1) throw new Error(`FAULT_SEED=${process.env.FAULT_SEED} FAULT_STEPS=${process.env.FAULT_STEPS}: both must be whole numbers`);
  return { seed, steps, everyKind: seed === fallback.seed && steps >= fallback.steps };
}

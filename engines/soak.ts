// The long fault schedule in one engine: `npm run soak -- --engine firefox` (or FAULT_ENGINE).
// FAULT_STEPS and FAULT_SEED pick the schedule (600 rolls of seed 4 unless told); FAULT_TRACE
// prints each step. Prints the figures; exits 1 when anything was lost, doubled or out of order.
import { engines } from './engines';
import { faultProblems, formatFigures, runFaultsInEngine, scheduleFromEnv, soakSchedule } from './faults';

function chosenEngine(argv: string[]): string {
  const flag = argv.indexOf('--engine');
  const named = flag >= 0 ? argv[flag + 1] : argv.find((arg) => arg.startsWith('--engine='))?.slice('--engine='.length);
  return named ?? process.env.FAULT_ENGINE ?? 'chromium';
}

async function main(): Promise<void> {
  const name = chosenEngine(process.argv.slice(2));
  const engine = engines.find((candidate) => candidate.name === name);
  if (!engine) throw new Error(`no engine named ${name}: ${engines.map((candidate) => candidate.name).join(', ')}`);
  const missing = engine.missing();
  if (missing) throw new Error(`${name} cannot run here: ${missing}`);
  const schedule = scheduleFromEnv(soakSchedule);
  const run = await engine.start();
  try {
    const figures = await runFaultsInEngine(run.launch, name, schedule);
    console.log(formatFigures(figures));
    const problems = faultProblems(figures, schedule);
    if (problems.length) console.log(`✗ ${problems.join('; ')}`);
    process.exitCode = problems.length ? 1 : 0;
  } finally {
    await run.stop();
  }
}

await main();

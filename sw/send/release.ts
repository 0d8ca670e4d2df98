import type { Step } from '../outcome/step';

/**
 * Runs `work` and calls `release` once its result is settled: at once, or, when `settlesLater`
 * gives a result whose settling is still under way, after that (the result it returns then
 * carries the release). Released on a failure too, so a claim is never left behind.
 */
export async function releaseWhenSettled<T>(
  work: () => Promise<T>,
  release: () => void,
  settlesLater: (result: T, release: () => void) => T | null,
): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (error) {
    release();
    throw error;
  }
  const later = settlesLater(result, release);
  if (later !== null) return later;
  release();
  return result;
}

/** For `settlesLater`: a step whose log change still commits (a page's answer, a pipelined confirmation) is released after it. */
export function afterItsSettling(step: Step, release: () => void): Step | null {
  return step.kind !== 'wait' && step.settling ? { ...step, settling: step.settling.finally(release) } : null;
}

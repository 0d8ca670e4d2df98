/** First backoff window; the delay after the nth failure is drawn from [0, base·2^(n-1)]. */
export const baseBackoffMs = 500;

/**
 * Exponential backoff with full jitter: spreads the retries of many writes (and many devices)
 * instead of letting them hit a recovering server in lock-step.
 */
export function backoffDelay(failures: number, capMs: number, random: () => number = Math.random): number {
  if (failures <= 0) return 0;
  const ceiling = Math.min(capMs, baseBackoffMs * 2 ** Math.min(failures - 1, 30));
  return Math.round(random() * ceiling);
}

import { describe, expect, it } from 'vitest';
import { backoffDelay, baseBackoffMs } from '../sw/outcome/backoff';

describe('backoff', () => {
  it('doubles its window from about 500 ms and stops at the cap', () => {
    const top = (failures: number) => backoffDelay(failures, 60_000, () => 1);
    expect([1, 2, 3, 4].map(top)).toEqual([baseBackoffMs, 1000, 2000, 4000]);
    expect(top(20)).toBe(60_000);
    expect(top(1000)).toBe(60_000);
  });

  it('draws the delay from the whole window (full jitter)', () => {
    expect(backoffDelay(3, 60_000, () => 0)).toBe(0);
    expect(backoffDelay(3, 60_000, () => 0.5)).toBe(1000);
    const samples = Array.from({ length: 200 }, () => backoffDelay(5, 60_000));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...samples)).toBeLessThanOrEqual(8000);
    expect(new Set(samples).size).toBeGreaterThan(50);
  });

  it('waits nothing before the first failure', () => {
    expect(backoffDelay(0, 60_000, () => 1)).toBe(0);
  });
});

import { isJson } from '../json/json';

/** What replay does with a server's answer (docs/protocol.md, Outcomes). */
export type Outcome =
  | { kind: 'confirmed' }
  | { kind: 'conflict' }
  /** Send again later; `counts` is false for network failures, which do not use up attempts. */
  | { kind: 'retry'; counts: boolean; retryAfterMs: number | null; reason: string }
  | { kind: 'hold' }
  | { kind: 'reject' };

/** One send of a write and what it came to. */
export interface Attempt {
  outcome: Outcome;
  /** The server's answer, unread; null on a network failure. */
  response: Response | null;
  /**
   * The answer's body when it was read already (a batch's result arrives as bytes), as `readBody`
   * gives it; absent when it is still in `response`.
   */
  body?: unknown;
  error: string | null;
}

/** The parts of an HTTP answer the rules look at. */
export interface Answer {
  status: number;
  retryAfter: string | null;
  contentType: string | null;
  /** Whether the body is non-empty. */
  hasBody: boolean;
}

/** A failure before any answer: offline, DNS, reset, timeout. */
export const networkFailure: Outcome = { kind: 'retry', counts: false, retryAfterMs: null, reason: 'network' };

const retryableStatuses = new Set([408, 425, 429]);

/** Classifies one answer; `now` is the clock Retry-After dates are read against. */
export function classifyAnswer(answer: Answer, now: number): Outcome {
  const { status } = answer;
  const retryAfterMs = parseRetryAfter(answer.retryAfter, now);
  if (status >= 200 && status < 300) return { kind: 'confirmed' };
  if (status === 412) return { kind: 'conflict' };
  if (status === 409) {
    if (answer.retryAfter !== null) return { kind: 'retry', counts: true, retryAfterMs, reason: 'HTTP 409' };
    if (answer.hasBody && isJson(answer.contentType)) return { kind: 'conflict' };
    return { kind: 'reject' };
  }
  if (retryableStatuses.has(status) || status >= 500) {
    return { kind: 'retry', counts: true, retryAfterMs, reason: `HTTP ${status}` };
  }
  if (status === 401 || status === 403) return { kind: 'hold' };
  return { kind: 'reject' };
}

/** Reads `Retry-After` as delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Anything else must be an HTTP date (which names its weekday and month), not a bare number.
  const date = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

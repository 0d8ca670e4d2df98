import { describe, expect, it } from 'vitest';
import { classifyAnswer, parseRetryAfter, type Answer } from '../sw/outcome/classify';

const now = Date.parse('2026-11-22T12:00:00Z');
const answer = (status: number, extra: Partial<Answer> = {}): Answer => ({
  status, retryAfter: null, contentType: 'application/json', hasBody: true, ...extra,
});

describe('outcome rules (docs/protocol.md, Outcomes)', () => {
  it.each([200, 201, 204, 299])('%i is confirmed', (status) => {
    expect(classifyAnswer(answer(status), now)).toEqual({ kind: 'confirmed' });
  });

  it('412 is a version conflict, with or without a body', () => {
    expect(classifyAnswer(answer(412), now).kind).toBe('conflict');
    expect(classifyAnswer(answer(412, { hasBody: false, contentType: null }), now).kind).toBe('conflict');
  });

  it('409 carrying a JSON representation is a conflict', () => {
    expect(classifyAnswer(answer(409), now).kind).toBe('conflict');
    expect(classifyAnswer(answer(409, { contentType: 'application/problem+json' }), now).kind).toBe('conflict');
  });

  it('409 with Retry-After is retried after that delay, and counts as an attempt', () => {
    expect(classifyAnswer(answer(409, { retryAfter: '2' }), now)).toEqual({ kind: 'retry', counts: true, retryAfterMs: 2000, reason: 'HTTP 409' });
  });

  it('409 with neither a representation nor Retry-After is rejected', () => {
    expect(classifyAnswer(answer(409, { hasBody: false }), now).kind).toBe('reject');
    expect(classifyAnswer(answer(409, { contentType: 'text/plain' }), now).kind).toBe('reject');
  });

  it.each([408, 425, 429, 500, 502, 503, 504, 599])('%i is retried and counts as an attempt', (status) => {
    expect(classifyAnswer(answer(status), now)).toMatchObject({ kind: 'retry', counts: true, retryAfterMs: null });
  });

  it('a 503 with Retry-After as an HTTP date waits until then', () => {
    const date = new Date(now + 30_000).toUTCString();
    expect(classifyAnswer(answer(503, { retryAfter: date }), now)).toMatchObject({ kind: 'retry', retryAfterMs: 30_000 });
  });

  it.each([401, 403])('%i holds the write until fresh credentials come', (status) => {
    expect(classifyAnswer(answer(status), now)).toEqual({ kind: 'hold' });
  });

  it.each([400, 404, 405, 410, 413, 415, 422])('%i is rejected, never retried by itself', (status) => {
    expect(classifyAnswer(answer(status), now)).toEqual({ kind: 'reject' });
  });
});

describe('Retry-After', () => {
  it('reads delta-seconds and dates, and ignores what it cannot read', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter(new Date(now - 5000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
  });
});

/** An error answer as RFC 9457 describes it; `detail` says what to do about it. */
export interface Problem {
  /** Which of the kit's problems this is, for renderers that word errors their own way. */
  kind: ProblemKind;
  status: number;
  title: string;
  detail: string;
  /** Extra response headers, such as `Retry-After` on a 409. */
  headers?: Record<string, string>;
}

export type ProblemKind = 'malformed-key' | 'missing-key' | 'key-reused' | 'key-running' | 'key-taken-over' | 'precondition-failed' | 'precondition-required';

/** Turns a problem into the answer sent; the default is `application/problem+json`. */
export type ProblemRenderer = (problem: Problem) => Response;

/** The default renderer: `{ type, title, status, detail }` as `application/problem+json`. */
export function problemJson(problem: Problem): Response {
  const body = JSON.stringify({ type: 'about:blank', title: problem.title, status: problem.status, detail: problem.detail });
  return new Response(body, {
    status: problem.status,
    headers: { 'Content-Type': 'application/problem+json', ...problem.headers },
  });
}

/** The problems the kit answers with, one constructor each, so their wording lives in one place. */
export const problems = {
  malformedKey: (detail: string): Problem => ({ kind: 'malformed-key', status: 400, title: 'Bad Request', detail }),
  missingKey: (): Problem => ({
    kind: 'missing-key',
    status: 400,
    title: 'Bad Request',
    detail: 'This request needs an Idempotency-Key header: send one, and the same one on every retry of it.',
  }),
  keyReused: (): Problem => ({
    kind: 'key-reused',
    status: 422,
    title: 'Unprocessable Content',
    detail: 'Idempotency-Key reused with a different request: a key belongs to one method, path and body. Send this request with a new key.',
  }),
  keyRunning: (retryAfterSeconds: number): Problem => ({
    kind: 'key-running',
    status: 409,
    title: 'Conflict',
    detail: 'A request with this Idempotency-Key is still in progress: retry it later with the same key to get its result.',
    headers: { 'Retry-After': String(retryAfterSeconds) },
  }),
  keyTakenOver: (): Problem => ({
    kind: 'key-taken-over',
    status: 409,
    title: 'Conflict',
    detail: 'This request outlived its lease and another delivery of the same Idempotency-Key took over: nothing of it was applied. Retry with the same key to get the result.',
    headers: { 'Retry-After': '1' },
  }),
  preconditionFailed: (): Problem => ({
    kind: 'precondition-failed',
    status: 412,
    title: 'Precondition Failed',
    detail: 'The resource does not exist, so If-Match cannot match it.',
  }),
  preconditionRequired: (): Problem => ({
    kind: 'precondition-required',
    status: 428,
    title: 'Precondition Required',
    detail: 'This write needs If-Match with the resource\'s current ETag (or If-None-Match: * to create it), so it cannot overwrite a change it has not seen.',
  }),
};

/** An error answer as RFC 9457 describes it; `detail` says what to do about it. */
export interface Problem {
  /** Which of the kit's problems this is, for renderers that word errors their own way. */
  kind: ProblemKind;
  status: number;
  title: string;
  detail: string;
  /** Extra response headers, such as `Retry-After` on a 409. */
  headers?: Record<string, string>;
  /** Extension members of the problem object (RFC 9457 §3.2), such as a batch's limits on its 413. */
  members?: Record<string, string | number>;
}

export type ProblemKind =
  | 'malformed-key'
  | 'missing-key'
  | 'key-reused'
  | 'key-running'
  | 'key-taken-over'
  | 'precondition-failed'
  | 'precondition-required'
  | 'transaction-failed'
  | 'batch-malformed'
  | 'batch-media-type'
  | 'batch-method'
  | 'batch-too-large'
  | 'batch-write-refused'
  | 'batch-write-failed'
  | 'batch-unavailable';

/** Turns a problem into the answer sent; the default is `application/problem+json`. */
export type ProblemRenderer = (problem: Problem) => Response;

/** The default renderer: `{ type, title, status, detail }` as `application/problem+json`. */
export function problemJson(problem: Problem): Response {
  const body = JSON.stringify({ type: 'about:blank', title: problem.title, status: problem.status, detail: problem.detail, ...problem.members });
  return new Response(body, {
    status: problem.status,
    headers: { 'Content-Type': 'application/problem+json', ...problem.headers },
  });
}

function problem(kind: ProblemKind, status: number, title: string, detail: string, headers?: Record<string, string>, members?: Problem['members']): Problem {
  return { kind, status, title, detail, ...(headers === undefined ? {} : { headers }), ...(members === undefined ? {} : { members }) };
}

/** The problems the kit answers with, one constructor each, so their wording lives in one place. */
export const problems = {
  malformedKey: (detail: string) => problem('malformed-key', 400, 'Bad Request', detail),
  missingKey: () => problem('missing-key', 400, 'Bad Request', 'This request needs an Idempotency-Key header: send one, and the same one on every retry of it.'),
  keyReused: () =>
    problem(
      'key-reused',
      422,
      'Unprocessable Content',
      'Idempotency-Key reused with a different request: a key belongs to one method, path and body. Send this request with a new key.',
    ),
  keyRunning: (retryAfterSeconds: number) =>
    problem('key-running', 409, 'Conflict', 'A request with this Idempotency-Key is still in progress: retry it later with the same key to get its result.', {
      'Retry-After': String(retryAfterSeconds),
    }),
  keyTakenOver: () =>
    problem(
      'key-taken-over',
      409,
      'Conflict',
      'This request outlived its lease and another delivery of the same Idempotency-Key took over: nothing of it was applied. Retry with the same key to get the result.',
      { 'Retry-After': '1' },
    ),
  transactionFailed: () =>
    problem('transaction-failed', 500, 'Internal Server Error', "The write's transaction failed and was rolled back: nothing of it was applied. Retry with the same key."),
  preconditionFailed: () => problem('precondition-failed', 412, 'Precondition Failed', 'The resource does not exist, so If-Match cannot match it.'),
  preconditionRequired: () =>
    problem(
      'precondition-required',
      428,
      'Precondition Required',
      "This write needs If-Match with the resource's current ETag (or If-None-Match: * to create it), so it cannot overwrite a change it has not seen.",
    ),
  batchMalformed: (detail: string) => problem('batch-malformed', 400, 'Bad Request', `This is not a batch: ${detail}.`),
  batchMediaType: (contentType: string) =>
    problem('batch-media-type', 415, 'Unsupported Media Type', `A batch is JSON (${contentType}); this request says it is something else.`),
  batchMethod: () => problem('batch-method', 405, 'Method Not Allowed', 'The batch URL takes POST (and OPTIONS).', { Allow: 'POST, OPTIONS' }),
  batchTooLarge: (maxWrites: number, maxBytes: number) =>
    problem(
      'batch-too-large',
      413,
      'Content Too Large',
      `A batch may carry at most ${maxWrites} writes in at most ${maxBytes} bytes: split it, and send a write too large for any batch alone.`,
      undefined,
      { maxWrites, maxBytes },
    ),
  batchWriteRefused: (detail: string) => problem('batch-write-refused', 400, 'Bad Request', `This write cannot go in a batch: ${detail}. Send it alone.`),
  batchWriteFailed: () =>
    problem('batch-write-failed', 500, 'Internal Server Error', 'Applying this write failed on the server and no answer was kept for it: retry it with the same key.'),
  batchUnavailable: () => problem('batch-unavailable', 501, 'Not Implemented', 'This server cannot answer batches here: send each write alone.'),
};

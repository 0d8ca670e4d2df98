import { batchMethods } from '../protocol/batch';
import type { BatchResult, BatchWrite } from '../protocol/batch';
import { bodyBytes, withKnownBody } from './known-body';

/**
 * Headers of a batch request that describe the batch itself or belong to one write: they are never
 * passed on to its writes. Every other header (credentials, `Origin`, `User-Agent`, `X-Forwarded-*`…)
 * is, so each write is judged as the caller who sent the batch.
 */
const BATCH_ONLY_HEADERS = new Set([
  'accept',
  'accept-encoding',
  'connection',
  'content-encoding',
  'content-length',
  'content-type',
  'expect',
  'idempotency-key',
  'if-match',
  'if-modified-since',
  'if-none-match',
  'if-range',
  'if-unmodified-since',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Credentials travel once, on the batch: a write that names its own would act as someone else. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/** Headers of a write that its bytes and URL decide (a stale one in a write's headers would lie). */
const DERIVED_HEADERS = new Set(['content-length', 'host', 'transfer-encoding']);

/**
 * Headers of a write's answer left out of its result: they describe the connection or the moment,
 * or travel on the batch's own answer (`Set-Cookie`, so that the browser stores the cookies).
 */
const CONNECTION_HEADERS = new Set(['connection', 'content-length', 'date', 'keep-alive', 'outbox-batch', 'set-cookie', 'transfer-encoding']);

/** A write as a request of its own, or why it cannot be one. */
export type WriteRequest = { ok: true; request: Request } | { ok: false; reason: string };

/**
 * The request `write` would have been had it come alone: its method, URL (on the batch's origin),
 * headers and bytes, with the batch's credentials and other caller headers under its own.
 */
export function writeRequest(batch: Request, write: BatchWrite, batchPath: string): WriteRequest {
  const method = write.method.toUpperCase();
  if (!batchMethods.includes(method)) return { ok: false, reason: `a batch carries ${batchMethods.join(', ')} only, not ${write.method}` };
  if (!URL.canParse(write.url, batch.url)) return { ok: false, reason: `${JSON.stringify(write.url)} is not a URL` };
  const url = new URL(write.url, batch.url);
  if (url.origin !== new URL(batch.url).origin) return { ok: false, reason: "its URL is on another origin than the batch's" };
  if (url.pathname === batchPath) return { ok: false, reason: 'a batch cannot carry a batch' };
  const headers = new Headers();
  batch.headers.forEach((value, name) => {
    if (!BATCH_ONLY_HEADERS.has(name)) headers.set(name, value);
  });
  for (const [name, value] of Object.entries(write.headers)) {
    const lower = name.toLowerCase();
    if (CREDENTIAL_HEADERS.has(lower)) return { ok: false, reason: `${name} goes on the batch, once, not on a write` };
    if (DERIVED_HEADERS.has(lower)) continue;
    try {
      headers.set(name, value);
    } catch {
      return { ok: false, reason: `its ${JSON.stringify(name)} header is not a valid header` };
    }
  }
  if (write.body.length === 0) return { ok: true, request: new Request(url, { method, headers, signal: batch.signal }) };
  return { ok: true, request: withKnownBody(new Request(url, { method, headers, signal: batch.signal, body: write.body as Uint8Array<ArrayBuffer> }), write.body) };
}

/** A write's answer as its result in the batch, and the cookies it sets (they go on the batch's answer). */
export async function resultOf(id: string, response: Response): Promise<{ result: BatchResult; cookies: string[] }> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!CONNECTION_HEADERS.has(name)) headers[name] = value;
  });
  const body = await bodyBytes(response);
  return { result: { id, status: response.status, headers, body }, cookies: response.headers.getSetCookie() };
}

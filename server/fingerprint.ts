import * as crypto from 'node:crypto';
import { readBody, withKnownBody } from './known-body';
import type { StoredResponse } from './store';
import { pathAndQuery } from './url-parts';

/** Method, path with query, and a SHA-256 of the body: what a key's payload is compared by. */
export function fingerprintOf(request: Request, body: Uint8Array): string {
  return sha256Hex(`${request.method}\0${pathAndQuery(request.url)}\0${sha256Hex(body)}`);
}

/** SHA-256 in hex: one call where Node has `crypto.hash` (20.12, 21.7), a Hash object where not. */
const sha256Hex: (data: string | Uint8Array) => string =
  typeof crypto.hash === 'function' ? (data) => crypto.hash('sha256', data) : (data) => crypto.createHash('sha256').update(data).digest('hex');

/** Headers replayed by default: the ones that describe the result, not the connection or the moment. */
export const DEFAULT_REPLAYED_HEADERS: readonly string[] = ['content-type', 'content-language', 'content-location', 'location', 'etag', 'last-modified'];

/** Statuses whose responses cannot carry a body. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * Reads a response for storage. Its body can be read only once, so the answer to send is rebuilt
 * from the same bytes (cheaper than a clone, whose streams tee); with `streamed` false it is the
 * response itself, its body read and its bytes noted (byte-answers.ts: that caller reads only those).
 */
export async function snapshot(response: Response, replayed: ReadonlySet<string>, streamed: boolean): Promise<{ stored: StoredResponse; response: Response }> {
  const body = await readBody(response);
  const headers: Array<[string, string]> = [];
  // One pass over the answer's few headers costs a fifth of a lookup of each name replayed.
  for (const [name, value] of response.headers) if (replayed.has(name)) headers.push([name, value]);
  const stored = { status: response.status, headers, body };
  if (!streamed && hasBody(stored)) return { stored, response: withKnownBody(response, body) };
  return { stored, response: responseOf(stored, { status: response.status, statusText: response.statusText, headers: response.headers }, streamed) };
}

/** Whether a stored answer has bytes to send (a 204's, or an empty body, has none). */
function hasBody(stored: StoredResponse): boolean {
  return stored.body.length > 0 && !NULL_BODY_STATUSES.has(stored.status);
}

/** A response with the stored body, its bytes noted so that they go out without a stream (and, unless not `streamed`, as its body too). */
function responseOf(stored: StoredResponse, init: ResponseInit, streamed: boolean): Response {
  if (!hasBody(stored)) return new Response(null, init);
  return withKnownBody(new Response(streamed ? (stored.body as Uint8Array<ArrayBuffer>) : null, init), stored.body);
}

/** The stored answer again, marked `Idempotent-Replayed: true`; `streamed` as for `snapshot`. */
export function replayOf(stored: StoredResponse, streamed: boolean): Response {
  const headers = new Headers(stored.headers);
  headers.set('Idempotent-Replayed', 'true');
  return responseOf(stored, { status: stored.status, headers }, streamed);
}

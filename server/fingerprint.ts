import { createHash } from 'node:crypto';
import type { StoredResponse } from './store';

/** Method, path with query, and a SHA-256 of the body: what a key's payload is compared by. */
export function fingerprintOf(request: Request, body: Uint8Array): string {
  const url = new URL(request.url);
  const bodyDigest = createHash('sha256').update(body).digest('hex');
  return createHash('sha256').update(`${request.method}\0${url.pathname}${url.search}\0${bodyDigest}`).digest('hex');
}

/** Headers replayed by default: the ones that describe the result, not the connection or the moment. */
export const DEFAULT_REPLAYED_HEADERS: readonly string[] = ['content-type', 'content-language', 'content-location', 'location', 'etag', 'last-modified'];

/** Reads a response for storage; the response itself stays readable. */
export async function snapshot(response: Response, replayed: readonly string[]): Promise<StoredResponse> {
  const body = new Uint8Array(await response.clone().arrayBuffer());
  const headers: Array<[string, string]> = [];
  for (const name of replayed) {
    const value = response.headers.get(name);
    if (value !== null) headers.push([name, value]);
  }
  return { status: response.status, headers, body };
}

/** The stored answer again, marked `Idempotent-Replayed: true`. */
export function replayOf(stored: StoredResponse): Response {
  const headers = new Headers(stored.headers);
  headers.set('Idempotent-Replayed', 'true');
  const bodyless = stored.status === 204 || stored.status === 304 || stored.body.length === 0;
  return new Response(bodyless ? null : (stored.body as Uint8Array<ArrayBuffer>), { status: stored.status, headers });
}

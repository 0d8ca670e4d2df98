import { outboxHeaders, type OutboxConfig } from '../../protocol';
import { keptReadId, type KeptRead } from '../log/kept-reads';
import { isJson } from '../json/json';

/** Response headers never kept: they belong to one answer (cookies) or to its transfer. */
const unkeptHeaders = new Set(['set-cookie', 'set-cookie2', 'content-length', 'content-encoding', 'transfer-encoding']);

/** Whether a content type is one `keptTypes` names: `application/json` takes every JSON type; others match by prefix. */
function isKeptType(contentType: string | null, keptTypes: string[]): boolean {
  if (contentType === null) return false;
  const type = contentType.trim().toLowerCase();
  return keptTypes.some((kept) => (kept === 'application/json' ? isJson(type) : type.startsWith(kept.toLowerCase())));
}

/**
 * Whether a route's answer may be kept for offline use (docs/protocol.md, Offline reads): a `200`
 * of a kept type, never one the server marked `no-store`, and never one that varies on everything.
 */
export function isKeepable(response: Response, config: Pick<OutboxConfig, 'keptTypes'>): boolean {
  if (response.status !== 200) return false;
  if (/(^|,)\s*no-store\s*(,|$)/i.test(response.headers.get('cache-control') ?? '')) return false;
  if (varyNamesOf(response).includes('*')) return false;
  return isKeptType(response.headers.get('content-type'), config.keptTypes);
}

/** The request headers an answer varies on, lowercase. */
function varyNamesOf(response: Response): string[] {
  return (response.headers.get('vary') ?? '').split(',').map((name) => name.trim().toLowerCase()).filter(Boolean);
}

/** A digest of a request header's value: a read that varies on `Authorization` never stores the credential. */
async function digestOf(value: string | null): Promise<string> {
  if (value === null) return '';
  const hash = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value));
  return [...new Uint8Array(hash)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

function digestsOf(request: Request, names: string[]): Promise<string[]> {
  return Promise.all(names.map((name) => digestOf(request.headers.get(name))));
}

/** The URL a read is kept and found under: the request's, without the cache-busting parameters. */
export function keptUrlOf(url: string, ignoredParams: string[]): string {
  const parsed = new URL(url);
  for (const name of ignoredParams) parsed.searchParams.delete(name);
  return parsed.href;
}

/**
 * A keepable answer as the log keeps it, under `url` (see `keptUrlOf`), for the partition active
 * when it was read. `body` is its bytes when the caller read them already.
 */
export async function toKeptRead(request: Request, url: string, response: Response, partition: string, now: number, body?: ArrayBuffer): Promise<KeptRead> {
  const varyNames = varyNamesOf(response);
  const varyDigests = await digestsOf(request, varyNames);
  const headers: [string, string][] = [];
  response.headers.forEach((value, name) => {
    if (!unkeptHeaders.has(name)) headers.push([name, value]);
  });
  return {
    id: keptReadId(partition, url, varyNames, varyDigests),
    partition,
    url,
    varyNames,
    varyDigests,
    status: response.status,
    headers,
    body: body ?? (await response.clone().arrayBuffer()),
    storedAt: now,
    usedAt: now,
  };
}

/** The kept read that answers this request: same URL (the caller's look-up) and the same values of what it varies on. */
export async function matchingRead(reads: KeptRead[], request: Request): Promise<KeptRead | undefined> {
  for (const read of reads) {
    const digests = await digestsOf(request, read.varyNames);
    if (digests.every((digest, index) => digest === read.varyDigests[index])) return read;
  }
  return undefined;
}

/** A kept read as the page gets it when the network failed: marked offline, with its age in seconds. */
export function offlineAnswer(read: KeptRead, now: number): Response {
  const headers = new Headers(read.headers);
  headers.set(outboxHeaders.status, 'offline');
  headers.set('Age', String(Math.max(0, Math.floor((now - read.storedAt) / 1000))));
  return new Response(read.body.slice(0), { status: read.status, headers });
}

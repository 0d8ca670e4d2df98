import type { OutboxConfig } from '../../protocol';
import type { StoredEntry } from '../log/entry';
import { isJson, isRecord, jsonBytes, parseJsonBytes } from '../json/json';

/** What a log entry goes out as, alone or in a batch: its method, URL, headers and body bytes. */
export interface OutgoingWrite {
  method: string;
  url: string;
  headers: Headers;
  body: ArrayBuffer | null;
}

/**
 * What a log entry goes out as: its own Idempotency-Key on every send, and the version it is based
 * on (If-Match or the body field) unless the page set one itself (docs/protocol.md, Headers).
 * `liveHeaders` are the page's own, credentials included, for a write sent while the page waits or
 * a replay given fresh credentials. Plain parts, not a Request: a batch reads them without reading
 * a Request's body back (which WebKit's workers never finish).
 */
export function outgoingWrite(entry: StoredEntry, config: OutboxConfig, liveHeaders: [string, string][] | null): OutgoingWrite {
  const headers = new Headers(liveHeaders ?? entry.headers);
  headers.set('Idempotency-Key', entry.idempotencyKey);
  let body: ArrayBuffer | null = entry.body;
  if (entry.baseVersion !== null) {
    if (config.versioning === 'etag') headers.set('If-Match', entry.baseVersion);
    else if (config.versioning !== 'off') body = withBodyVersion(entry, config.versioning, entry.baseVersion);
  }
  return { method: entry.method, url: entry.url, headers, body };
}

/** The request a log entry goes out as alone (see `outgoingWrite`). */
export function buildRequest(entry: StoredEntry, config: OutboxConfig, liveHeaders: [string, string][] | null, signal: AbortSignal): Request {
  const { method, url, headers, body } = outgoingWrite(entry, config, liveHeaders);
  return new Request(url, { method, headers, body, credentials: 'same-origin', signal });
}

/** The body with the version written into its `field`; bodies that are not JSON objects go unchanged. */
function withBodyVersion(entry: StoredEntry, field: string, version: string): ArrayBuffer | null {
  if (entry.body === null || !isJson(entry.contentType)) return entry.body;
  const json = parseJsonBytes(entry.body);
  if (!isRecord(json)) return entry.body;
  return jsonBytes({ ...json, [field]: /^\d+$/.test(version) ? Number(version) : version });
}

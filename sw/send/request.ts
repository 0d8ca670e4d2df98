import type { OutboxConfig } from '../../protocol';
import type { StoredEntry } from '../log/entry';
import { isJson, isRecord, jsonBytes, parseJsonBytes } from '../json/json';

/**
 * Builds the request a log entry goes out as: its own Idempotency-Key on every send, and the
 * version it is based on (If-Match or the body field) unless the page set one itself
 * (docs/protocol.md, Headers). `liveHeaders` are the page's own, credentials included, for a
 * write sent while the page waits or a replay given fresh credentials.
 */
export function buildRequest(entry: StoredEntry, config: OutboxConfig, liveHeaders: [string, string][] | null, signal: AbortSignal): Request {
  const headers = new Headers(liveHeaders ?? entry.headers);
  headers.set('Idempotency-Key', entry.idempotencyKey);
  let body: ArrayBuffer | null = entry.body;
  if (entry.baseVersion !== null) {
    if (config.versioning === 'etag') headers.set('If-Match', entry.baseVersion);
    else if (config.versioning !== 'off') body = withBodyVersion(entry, config.versioning, entry.baseVersion);
  }
  return new Request(entry.url, { method: entry.method, headers, body, credentials: 'same-origin', signal });
}

/** The body with the version written into its `field`; bodies that are not JSON objects go unchanged. */
function withBodyVersion(entry: StoredEntry, field: string, version: string): ArrayBuffer | null {
  if (entry.body === null || !isJson(entry.contentType)) return entry.body;
  const json = parseJsonBytes(entry.body);
  if (!isRecord(json)) return entry.body;
  return jsonBytes({ ...json, [field]: /^\d+$/.test(version) ? Number(version) : version });
}

import type { OutboxConfig } from './config';
import type { StoredEntry } from './entry';
import { isRecord } from './capture';
import { classifyAnswer, isJson, networkFailure, type Outcome } from './outcome';

export interface Attempt {
  outcome: Outcome;
  /** The server's answer, unread; null on a network failure. */
  response: Response | null;
  error: string | null;
}

/**
 * Builds the request a log entry goes out as: its own Idempotency-Key on every send, and the
 * version it is based on (If-Match or the body field) unless the page set one itself.
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

/** Sends one entry once and classifies what happened. */
export async function attemptSend(
  entry: StoredEntry,
  config: OutboxConfig,
  liveHeaders: [string, string][] | null,
  fetchImpl: typeof fetch,
): Promise<Attempt> {
  let response: Response;
  try {
    response = await fetchImpl(buildRequest(entry, config, liveHeaders, AbortSignal.timeout(config.timeoutMs)));
  } catch (error) {
    return { outcome: networkFailure, response: null, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
  const outcome = classifyAnswer(
    {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      contentType: response.headers.get('content-type'),
      hasBody: response.headers.get('content-length') !== '0' && response.body !== null,
    },
    Date.now(),
  );
  return { outcome, response, error: outcome.kind === 'confirmed' ? null : `HTTP ${response.status}` };
}

/** Reads a response body (from a clone, so the page still gets it whole): JSON where JSON, else text. */
export async function readBody(response: Response): Promise<unknown> {
  const text = await response.clone().text();
  if (text === '') return null;
  if (!isJson(response.headers.get('content-type'))) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The version an answer carries: its ETag, or the configured body field. */
export function versionOf(response: Response, body: unknown, config: OutboxConfig): string | null {
  if (config.versioning === 'off') return null;
  if (config.versioning === 'etag') return response.headers.get('etag');
  const value = isRecord(body) ? body[config.versioning] : undefined;
  return value === undefined || value === null ? null : String(value);
}

function withBodyVersion(entry: StoredEntry, field: string, version: string): ArrayBuffer | null {
  if (entry.body === null || !isJson(entry.contentType)) return entry.body;
  try {
    const json: unknown = JSON.parse(new TextDecoder().decode(entry.body));
    if (!isRecord(json)) return entry.body;
    json[field] = /^\d+$/.test(version) ? Number(version) : version;
    return new TextEncoder().encode(JSON.stringify(json)).buffer as ArrayBuffer;
  } catch {
    return entry.body;
  }
}

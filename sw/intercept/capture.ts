import { outboxHeaders, type OutboxConfig, type Route } from '../../protocol';
import { newIdempotencyKey, type EntryDraft } from '../log/entry';
import { readVersion } from '../log/learning';
import { isJson, isRecord, parseJson, parseJsonBytes } from '../json/json';
import { newTempId, resourceKey, tempResourceUrl } from '../log/resource';

/**
 * The request to read the page's body from, or null when the page made the body from a
 * ReadableStream: it may never end and has no length to hold against the cap, so it is never
 * queued (docs/protocol.md, What is not queued). Nothing else on a Request tells: the Fetch standard only forbids rebuilding
 * such a request in `no-cors` mode (POST, the one write method that mode allows). A stream's
 * request is left untouched by the failed rebuild; any other's body moves to the rebuilt one.
 */
export function bufferedBody(request: Request): Request | null {
  if (request.body === null) return request;
  try {
    return new Request(request, { mode: 'no-cors', method: 'POST', cache: 'default' });
  } catch {
    return null;
  }
}

/** The page's request again (to `url`), from the bytes already read out of it. */
export function rebuilt(request: Request, body: ArrayBuffer | null, url = request.url): Request {
  return new Request(url, { method: request.method, headers: request.headers, body, credentials: request.credentials, redirect: request.redirect });
}

/** Headers that carry credentials: kept in memory for a live send, never written to the log. */
const credentialHeaders = new Set(['authorization', 'cookie', 'proxy-authorization']);
/** Headers the worker sets itself from the entry, or reads and keeps to itself. */
const managedHeaders = new Set(['if-match', 'idempotency-key', 'content-length', outboxHeaders.base.toLowerCase()]);

export type Capture =
  | { ok: true; draft: EntryDraft; liveHeaders: [string, string][] }
  /** Not taken; `request` is what to send instead (the page's, or rebuilt if its body was read). */
  | { ok: false; reason: string; request: Request };

/**
 * Turns a page's write into a log entry: the bytes as sent, headers without credentials, the
 * resource it addresses, and the version the page based it on, if it said.
 */
export async function captureWrite(
  request: Request,
  config: OutboxConfig,
  route: Route,
  now: number,
): Promise<Capture> {
  const declaredLength = Number(request.headers.get('content-length') ?? '0');
  if (declaredLength > config.maxBodyBytes) return { ok: false, reason: 'body-too-large', request };
  const source = bufferedBody(request);
  if (!source) return { ok: false, reason: 'streaming-body', request };
  // Read once, not cloned: teeing the stream costs more than the write itself.
  const body = await source.arrayBuffer();
  if (body.byteLength > config.maxBodyBytes) {
    return { ok: false, reason: 'body-too-large', request: rebuilt(request, body) };
  }
  const stored = body.byteLength > 0 ? body : null;
  const contentType = request.headers.get('content-type');
  const json = stored !== null && isJson(contentType) ? parseJsonBytes(stored) : undefined;

  const url = new URL(request.url);
  const isCreate = request.method === 'POST';
  const clientId = isCreate ? idIn(json, config.idField) : null;
  const tempId = isCreate && clientId === null ? newTempId() : null;
  const createdUrl = isCreate ? tempResourceUrl(url, tempId ?? String(clientId)) : null;
  const resource = createdUrl ? resourceKey(new URL(createdUrl)) : resourceKey(url);

  const headers: [string, string][] = [];
  const liveHeaders: [string, string][] = [];
  request.headers.forEach((value, name) => {
    if (managedHeaders.has(name) && !(name === 'if-match' && config.versioning === 'off')) return;
    liveHeaders.push([name, value]);
    if (!credentialHeaders.has(name)) headers.push([name, value]);
  });

  const draft: EntryDraft = {
    id: crypto.randomUUID(),
    idempotencyKey: request.headers.get('idempotency-key') ?? newIdempotencyKey(),
    method: request.method,
    url: url.href,
    headers,
    needsCredentials: liveHeaders.some(([name]) => credentialHeaders.has(name) && name !== 'cookie'),
    body: stored,
    contentType,
    resource,
    tempId,
    tempUrl: tempId ? createdUrl : null,
    // What the worker knows of the resource is filled in by the log, in the commit's transaction;
    // a base the page sends along is the better one: it is what the user saw.
    requestedBase: readVersion(config.versioning, request.headers.get('if-match'), json),
    baseRepresentation: parseBaseHeader(request.headers.get(outboxHeaders.base)),
    createdAt: now,
    attempts: 0,
    failures: 0,
    nextAttemptAt: now,
    notBefore: 0,
    state: 'queued',
    lastStatus: null,
    lastError: null,
    reason: null,
    // The active partition is the gate's to know; the write handler sets it on the draft.
    partition: '',
    coalesce: route.coalesce,
    versioned: config.versioning !== 'off',
    conflict: route.conflict,
  };
  return { ok: true, draft, liveHeaders };
}


/** The `Outbox-Base` a page sent: the representation its change was made from, or null. */
function parseBaseHeader(value: string | null): unknown {
  return value === null ? null : (parseJson(value) ?? null);
}

function idIn(json: unknown, idField: string): string | number | null {
  const id = isRecord(json) ? json[idField] : undefined;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}



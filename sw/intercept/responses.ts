import { outboxHeaders, type OutboxConfig } from '../../protocol';
import { jsonBodyOf, type StoredEntry } from '../log/entry';
import { isRecord } from '../json/json';

/**
 * The answer a page gets for a write that is safely in the log but not yet on the server:
 * 202 with the request's own JSON, plus the temporary id (and URL) of a create, so the page can
 * show and address the new item at once. `cancelled`: a delete that cancelled a never-sent create.
 */
export function queuedResponse(entry: StoredEntry, config: OutboxConfig, status: 'queued' | 'held' | 'conflict' | 'cancelled'): Response {
  const headers = new Headers({
    [outboxHeaders.status]: status,
    [outboxHeaders.id]: entry.id,
    [outboxHeaders.resource]: entry.resource,
  });
  if (entry.tempUrl) headers.set('Location', entry.tempUrl);
  if (entry.method === 'DELETE') return new Response(null, { status: 202, headers });
  const json = jsonBodyOf(entry);
  if (json === null && entry.body !== null) {
    if (entry.contentType) headers.set('Content-Type', entry.contentType);
    return new Response(entry.body.slice(0), { status: 202, headers });
  }
  const body: unknown = isRecord(json) || json === null ? { ...(json as Record<string, unknown> | null) } : json;
  if (isRecord(body) && entry.tempId) {
    body[config.idField] = entry.tempId;
    if (config.selfField) body[config.selfField] = entry.tempUrl;
  }
  headers.set('Content-Type', 'application/json');
  return new Response(JSON.stringify(body), { status: 202, headers });
}

/** A write the worker could not take while the network is down: never a silent loss. */
export function refusedResponse(reason: string, detail: string): Response {
  return new Response(JSON.stringify({ error: detail, reason }), {
    status: 503,
    headers: { 'Content-Type': 'application/json', [outboxHeaders.error]: reason },
  });
}

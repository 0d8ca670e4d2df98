import { isRecord } from '../json/json';

/** Prefix of temporary ids; a path segment with it addresses a create that has not reached the server. */
export const tempIdPrefix = 'tmp-';

/** A fresh temporary id for a queued create. */
export function newTempId(): string {
  return tempIdPrefix + crypto.randomUUID().replaceAll('-', '').slice(0, 16);
}

/**
 * The resource a write addresses: origin and path, no query. A path through a temporary id belongs
 * to that id's create, so a create and everything addressed to it form one lane.
 */
export function resourceKey(url: URL): string {
  const segments = url.pathname.replace(/\/+$/, '').split('/');
  const tempIndex = segments.findIndex((segment) => segment.startsWith(tempIdPrefix));
  const path = tempIndex >= 0 ? segments.slice(0, tempIndex + 1).join('/') : segments.join('/');
  return url.origin + (path || '/');
}

/** The URL a create will have: the collection it was posted to, plus its temporary id. */
export function tempResourceUrl(collectionUrl: URL, tempId: string): string {
  return `${collectionUrl.origin}${collectionUrl.pathname.replace(/\/+$/, '')}/${tempId}`;
}

/** Path segments that are temporary ids. */
export function tempIdsIn(url: URL): string[] {
  return url.pathname.split('/').filter((segment) => segment.startsWith(tempIdPrefix));
}

/** Replaces a temporary id in a URL's path segments. */
export function remapUrl(url: string, tempId: string, realId: string | number): string {
  const parsed = new URL(url);
  parsed.pathname = parsed.pathname
    .split('/')
    .map((segment) => (segment === tempId ? encodeURIComponent(String(realId)) : segment))
    .join('/');
  return parsed.href;
}

/**
 * Replaces a temporary id (or URL) wherever it stands as a whole JSON value, keeping the real
 * id's type: `{"todoId": "tmp-1"}` becomes `{"todoId": 42}`.
 */
export function remapJson(value: unknown, replacements: ReadonlyMap<string, unknown>): unknown {
  if (typeof value === 'string') return replacements.has(value) ? replacements.get(value) : value;
  if (Array.isArray(value)) return value.map((item) => remapJson(item, replacements));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, remapJson(item, replacements)]));
  }
  return value;
}

/** The last path segment of a URL, decoded: the id it addresses ('' for the root). */
export function lastSegmentOf(url: URL): string {
  return decodeURIComponent(url.pathname.replace(/\/+$/, '').split('/').pop() ?? '');
}

/** The real id of a confirmed create: the body's id field, else the last segment of Location. */
export function realIdOf(body: unknown, location: string | null, idField: string): string | number | null {
  if (isRecord(body) && idField in body) {
    const id = body[idField];
    if (typeof id === 'string' || typeof id === 'number') return id;
  }
  if (location) {
    const last = lastSegmentOf(new URL(location, 'http://x'));
    if (last) return last;
  }
  return null;
}

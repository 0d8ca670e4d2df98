import type { OutboxConfig } from '../../protocol';
import { isRecord } from '../json/json';

/**
 * Reads a version where `versioning` says it lives: the `ETag` (or `If-Match`) header for `etag`,
 * else the named JSON body field; `off` has none. One rule for requests and answers alike.
 */
export function readVersion(versioning: string, header: string | null, json: unknown): string | null {
  if (versioning === 'off') return null;
  if (versioning === 'etag') return header;
  const value = isRecord(json) ? json[versioning] : undefined;
  return value === undefined || value === null ? null : String(value);
}

/** The version an answer carries: its ETag, or the configured body field. */
export function versionOf(response: Response, body: unknown, config: Pick<OutboxConfig, 'versioning'>): string | null {
  return readVersion(config.versioning, response.headers.get('etag'), body);
}

/** What the worker knows of a resource's current server state. */
export interface KnownVersion {
  resource: string;
  version: string | null;
  representation: unknown;
  at: number;
}

/**
 * A collection's answer as what it says of each item, `<collection>/<id>`: its representation, and
 * its version where versions live in a body field. An ETag of the collection says nothing of its
 * items, so such an item's version is null here and the caller keeps the one it knew.
 */
export function itemsOfCollection(collection: string, items: unknown[], idField: string, versioning: string, at: number): KnownVersion[] {
  const known: KnownVersion[] = [];
  for (const item of items) {
    if (!isRecord(item)) continue;
    const id = item[idField];
    if (typeof id !== 'string' && typeof id !== 'number') continue;
    const version = versioning === 'etag' ? null : readVersion(versioning, null, item);
    known.push({ resource: `${collection}/${encodeURIComponent(String(id))}`, version, representation: item, at });
  }
  return known;
}

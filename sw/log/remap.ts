import type { StoredEntry } from './entry';
import { jsonBodyOf } from './entry';
import { jsonBytes } from '../json/json';
import { realIdOf, remapJson, remapUrl, resourceKey } from './resource';

/** A confirmed create's temporary id and URL, and the real ones the server gave it. */
export interface IdMapping {
  tempId: string;
  realId: string | number;
  tempUrl: string;
  realUrl: string;
  at: number;
}

/**
 * The mapping a confirmed create's answer gives: its real id from the body's `idField`, else from
 * `Location`; null when the write was no create with a temporary id, or the answer names no id.
 */
export function idMappingOf(
  entry: Pick<StoredEntry, 'tempId' | 'tempUrl' | 'url'>,
  body: unknown,
  location: string | null,
  idField: string,
  at: number,
): IdMapping | null {
  const realId = realIdOf(body, location, idField);
  if (realId === null || !entry.tempId || !entry.tempUrl) return null;
  const realUrl = location ? new URL(location, entry.url).href : remapUrl(entry.tempUrl, entry.tempId, realId);
  return { tempId: entry.tempId, realId, tempUrl: entry.tempUrl, realUrl, at };
}

/** The lane a create's later writes move to once its real URL is known. */
export function laneAfter(mapping: IdMapping): string {
  return resourceKey(new URL(mapping.realUrl));
}

/**
 * A queued write addressed to (or mentioning) a temporary id, rewritten to the real one: in its
 * URL, its lane, and wherever the temporary id or URL stands as a whole value in its JSON body.
 * A body that is not JSON goes as the page wrote it.
 */
export function remapEntry(entry: StoredEntry, mapping: IdMapping): StoredEntry {
  const lane = laneAfter(mapping);
  const url = entry.url.startsWith(mapping.tempUrl)
    ? mapping.realUrl + entry.url.slice(mapping.tempUrl.length)
    : remapUrl(entry.url, mapping.tempId, mapping.realId);
  const json = jsonBodyOf(entry);
  const replacements = new Map<string, unknown>([[mapping.tempId, mapping.realId], [mapping.tempUrl, mapping.realUrl]]);
  const body = json === null ? entry.body : jsonBytes(remapJson(json, replacements));
  return { ...entry, url, resource: lane, lane, body };
}

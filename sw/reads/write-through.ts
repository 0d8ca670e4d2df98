import type { OutboxConfig } from '../../protocol';
import { jsonBodyOf, type StoredEntry } from '../log/entry';
import type { KeptRewrite } from '../log/kept-reads';
import { laneAfter, type IdMapping } from '../log/remap';
import { resourceKey } from '../log/resource';
import { isRecord, jsonBytes, parseJsonBytes } from '../json/json';
import { overlayRead, parentOf, type OverlayWrite } from './overlay';

/**
 * How a confirmed write is laid over the kept copies of its item and its collection (in the
 * transaction that confirms it), so an offline read after it shows what the server now has: the real id of a create (never its temporary one, never
 * both), an edit, a deletion. The server's representation is used where the answer had one.
 */
export function confirmedRewrite(
  config: Pick<OutboxConfig, 'idField' | 'selfField'>,
  entry: StoredEntry,
  representation: unknown,
  mapping: IdMapping | null,
): KeptRewrite {
  const resource = mapping ? laneAfter(mapping) : entry.resource;
  const full = isRecord(representation);
  const write: OverlayWrite = {
    // With the server's whole representation, an edit is a replacement: nothing is guessed.
    method: entry.method === 'PATCH' && full ? 'PUT' : entry.method,
    resource,
    json: full ? representation : jsonBodyOf(entry),
    tempId: null,
    tempUrl: null,
    count: 1,
  };
  const fields = { idField: config.idField, selfField: config.selfField };
  return {
    partition: entry.partition,
    urls: [resource, parentOf(resource)],
    change: (read) => {
      const url = new URL(read.url);
      const result = overlayRead(resourceKey(url), parseJsonBytes(read.body), [write], fields, url.search === '');
      if (result.kind === 'gone') return 'remove';
      return result.kind === 'body' ? jsonBytes(result.body) : null;
    },
  };
}

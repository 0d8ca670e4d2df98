import { isRecord } from '../json/json';
import { applyMergePatch } from '../json/merge-patch';
import { lastSegmentOf, resourceKey } from '../log/resource';

/** A write as the overlay sees it: pending in the log, or just confirmed (then with the server's representation). */
export interface OverlayWrite {
  method: string;
  /** The resource it addresses, origin and path (a create's is its temporary URL). */
  resource: string;
  /** Its JSON body (a confirmed write: the server's representation), or null. */
  json: unknown;
  /** A pending create's temporary id and URL. */
  tempId: string | null;
  tempUrl: string | null;
  /** How many of the user's writes it stands for: itself and those merged into it. */
  count: number;
}

/** Where a resource's id and own URL stand in its JSON. */
export interface OverlayFields {
  idField: string;
  selfField: string | null;
}

/** A read with writes laid over it: its new body (or gone: a pending DELETE), and how many writes it includes. */
export type Overlaid =
  | { kind: 'unchanged' }
  | { kind: 'body'; body: unknown; applied: number }
  | { kind: 'gone'; applied: number };

/** The collection a resource belongs to: its parent path. */
export function parentOf(resource: string): string {
  const url = new URL(resource);
  url.pathname = url.pathname.replace(/\/+$/, '').replace(/\/[^/]*$/, '') || '/';
  return url.origin + url.pathname;
}

/** A create's body as the pages see it: its temporary id and URL in `idField` and `selfField`. */
function created(write: OverlayWrite, fields: OverlayFields): unknown {
  if (!isRecord(write.json) || !write.tempId) return write.json;
  const body: Record<string, unknown> = { ...write.json, [fields.idField]: write.tempId };
  if (fields.selfField && write.tempUrl) body[fields.selfField] = write.tempUrl;
  return body;
}

/**
 * Lays the user's writes, in log order, over a read of `resource` (docs/protocol.md, Offline
 * reads). An item (a JSON object, or null when nothing was read: a pending create's temporary URL)
 * gets its creates, PUTs and merge patches, and a DELETE makes it gone. A collection (a JSON
 * array) gets its members' edits and deletes, members found by `idField` or `selfField`, and with
 * `creates` the pending creates (a filtered read, with a query, does not: their filter is the
 * server's). Bodies that are neither pass unchanged.
 */
export function overlayRead(resource: string, body: unknown, writes: OverlayWrite[], fields: OverlayFields, creates: boolean): Overlaid {
  if (Array.isArray(body)) return overlayCollection(resource, body, writes, fields, creates);
  if (body === null || isRecord(body)) return overlayItem(resource, body, writes, fields);
  return { kind: 'unchanged' };
}

function overlayItem(resource: string, body: Record<string, unknown> | null, writes: OverlayWrite[], fields: OverlayFields): Overlaid {
  let item: unknown = body;
  let gone = false;
  let applied = 0;
  for (const write of writes) {
    if (write.resource !== resource) continue;
    if (write.method === 'DELETE') gone = true;
    else if (write.method === 'POST' || write.method === 'PUT') [item, gone] = [created(write, fields), false];
    else if (write.method === 'PATCH' && isRecord(write.json)) item = applyMergePatch(item ?? {}, write.json);
    else continue;
    applied += write.count;
  }
  if (applied === 0) return { kind: 'unchanged' };
  return gone || item === null ? { kind: 'gone', applied } : { kind: 'body', body: item, applied };
}

function overlayCollection(collection: string, body: unknown[], writes: OverlayWrite[], fields: OverlayFields, creates: boolean): Overlaid {
  const members = [...body];
  let applied = 0;
  const indexOf = (resource: string): number => {
    const id = lastSegmentOf(new URL(resource));
    return members.findIndex((member) => isRecord(member) && (String(member[fields.idField]) === id || selfOf(member, fields, collection) === resource));
  };
  for (const write of writes) {
    if (parentOf(write.resource) !== collection) continue;
    const at = indexOf(write.resource);
    if (write.method === 'DELETE' && at >= 0) members.splice(at, 1);
    else if (write.method === 'PATCH' && at >= 0 && isRecord(write.json)) members[at] = applyMergePatch(members[at], write.json);
    else if ((write.method === 'PUT' || write.method === 'POST') && at >= 0) members[at] = created(write, fields);
    else if ((write.method === 'PUT' || write.method === 'POST') && creates && write.json !== null) members.push(created(write, fields));
    else continue;
    applied += write.count;
  }
  return applied === 0 ? { kind: 'unchanged' } : { kind: 'body', body: members, applied };
}

/** A member's own URL from `selfField`, as a resource key (origin and path), or null. */
function selfOf(member: Record<string, unknown>, fields: OverlayFields, base: string): string | null {
  const self = fields.selfField ? member[fields.selfField] : undefined;
  if (typeof self !== 'string') return null;
  return resourceKey(new URL(self, base));
}

import { describe, expect, it } from 'vitest';
import { placeInLane, rebasedOn } from '../sw/log/chain';
import { idMappingOf, laneAfter, remapEntry } from '../sw/log/remap';
import { itemsOfCollection, readVersion } from '../sw/log/learning';
import { jsonBodyOf, type StoredEntry } from '../sw/log/entry';
import { createDraft, draft } from './helpers';

/** A draft placed on an empty lane, as the log stores it. */
function stored(d: ReturnType<typeof draft>, seq = 1): StoredEntry {
  return { ...placeInLane(d, undefined, undefined), seq };
}

describe('chaining and base selection', () => {
  it('bases a first write on what the worker knows, a page-given base winning', () => {
    const known = { resource: 'r', version: '"7"', representation: { title: 'seen' }, at: 1 };
    expect(placeInLane(draft('PATCH', '/api/x', { a: 1 }), undefined, known)).toMatchObject({
      requestedBase: '"7"', baseVersion: '"7"', chained: false, baseRepresentation: { title: 'seen' }, coalesced: [],
    });
    const pageSaid = draft('PATCH', '/api/x', { a: 1 }, { requestedBase: '"5"', baseRepresentation: { title: 'mine' } });
    expect(placeInLane(pageSaid, undefined, known)).toMatchObject({ requestedBase: '"5"', baseVersion: '"5"', baseRepresentation: { title: 'mine' } });
    expect(placeInLane(draft('PATCH', '/api/x', { a: 1 }), undefined, undefined)).toMatchObject({ baseVersion: null, chained: false });
  });

  it("chains a write made on top of the user's own unsent one, unless the page based it elsewhere", () => {
    const first = stored(draft('PATCH', '/api/x', { a: 1 }, { requestedBase: '"3"' }));
    const known = { resource: 'r', version: '"3"', representation: null, at: 1 };
    expect(placeInLane(draft('PATCH', '/api/x', { b: 1 }), first, known)).toMatchObject({ chained: true, baseVersion: null, requestedBase: '"3"' });
    expect(placeInLane(draft('PATCH', '/api/x', { b: 1 }, { requestedBase: '"3"' }), first, known)).toMatchObject({ chained: true });
    expect(placeInLane(draft('PATCH', '/api/x', { b: 1 }, { requestedBase: '"9"' }), first, known)).toMatchObject({ chained: false, baseVersion: '"9"' });
  });

  it('rebases only a chained write on the version its predecessor got back', () => {
    const chained = { ...stored(draft('PATCH', '/api/x', { b: 1 })), chained: true, baseVersion: null };
    expect(rebasedOn(chained, '"4"')).toMatchObject({ chained: false, baseVersion: '"4"' });
    const own = { ...chained, chained: false, baseVersion: '"9"' };
    expect(rebasedOn(own, '"4"')).toBe(own);
  });
});

describe('temporary id remapping', () => {
  const create = stored(createDraft('/api/todos', 'tmp-a', { title: 'new' }));

  it('reads the real id from the body, else from Location, and the real URL from Location when given', () => {
    expect(idMappingOf(create, { id: 42 }, null, 'id', 5)).toEqual({
      tempId: 'tmp-a', realId: 42, tempUrl: 'http://app.test/api/todos/tmp-a', realUrl: 'http://app.test/api/todos/42', at: 5,
    });
    expect(idMappingOf(create, 'created', '/api/todos/abc', 'id', 5)).toMatchObject({ realId: 'abc', realUrl: 'http://app.test/api/todos/abc' });
    expect(idMappingOf(create, {}, null, 'id', 5)).toBeNull();
    expect(idMappingOf({ ...create, tempId: null }, { id: 1 }, null, 'id', 5)).toBeNull();
  });

  it('rewrites a later write: URL, lane and every whole-value mention in its JSON body, keeping the id type', () => {
    const mapping = idMappingOf(create, { id: 42 }, null, 'id', 5)!;
    const later = stored(
      draft('PATCH', '/api/todos/tmp-a/notes?x=1', { todo: 'tmp-a', self: 'http://app.test/api/todos/tmp-a', text: 'tmp-a is mine' }, { resource: 'http://app.test/api/todos/tmp-a' }),
    );
    const remapped = remapEntry(later, mapping);
    expect(remapped.url).toBe('http://app.test/api/todos/42/notes?x=1');
    expect(remapped.resource).toBe('http://app.test/api/todos/42');
    expect(remapped.lane).toBe(laneAfter(mapping));
    expect(jsonBodyOf(remapped)).toEqual({ todo: 42, self: 'http://app.test/api/todos/42', text: 'tmp-a is mine' });
    expect(jsonBodyOf(later)).toMatchObject({ todo: 'tmp-a' });
  });

  it('leaves a body that is not JSON byte for byte', () => {
    const mapping = idMappingOf(create, { id: 42 }, null, 'id', 5)!;
    const bytes = new TextEncoder().encode('tmp-a').buffer as ArrayBuffer;
    const text = { ...stored(draft('PUT', '/api/todos/tmp-a', undefined, { resource: 'http://app.test/api/todos/tmp-a' })), body: bytes, contentType: 'text/plain' };
    expect(remapEntry(text, mapping).body).toBe(bytes);
  });
});

describe('learning from reads', () => {
  it('reads a version from the header for etag, from the body field otherwise, never for off', () => {
    expect(readVersion('etag', '"3"', { version: 9 })).toBe('"3"');
    expect(readVersion('version', '"3"', { version: 9 })).toBe('9');
    expect(readVersion('version', null, { other: 1 })).toBeNull();
    expect(readVersion('version', null, [1])).toBeNull();
    expect(readVersion('off', '"3"', { version: 9 })).toBeNull();
  });

  it("learns each item of a collection under its own URL; a collection's ETag says nothing of its items", () => {
    const items = [{ id: 1, version: 4, title: 'a' }, { id: 'x y', title: 'b' }, { title: 'no id' }, 'junk'];
    expect(itemsOfCollection('http://app.test/api/todos', items, 'id', 'version', 7)).toEqual([
      { resource: 'http://app.test/api/todos/1', version: '4', representation: items[0], at: 7 },
      { resource: 'http://app.test/api/todos/x%20y', version: null, representation: items[1], at: 7 },
    ]);
    expect(itemsOfCollection('http://app.test/api/todos', items, 'id', 'etag', 7).map((item) => item.version)).toEqual([null, null]);
  });
});

import { describe, expect, it } from 'vitest';
import { overlayRead, parentOf, type OverlayWrite } from '../sw/reads/overlay';

const fields = { idField: 'id', selfField: 'url' };
const api = 'http://app.test/api/todos';

function write(method: string, resource: string, json: unknown = null, extra: Partial<OverlayWrite> = {}): OverlayWrite {
  return { method, resource: `${api}${resource}`, json, tempId: null, tempUrl: null, count: 1, ...extra };
}

const create = (tempId: string, json: unknown) => write('POST', `/${tempId}`, json, { tempId, tempUrl: `${api}/${tempId}` });

describe('an item read with pending writes laid over it', () => {
  const item = { id: 5, title: 'saved', done: false, url: `${api}/5` };

  it('applies merge patches and PUTs in log order', () => {
    const writes = [write('PATCH', '/5', { title: 'first' }), write('PUT', '/5', { id: 5, title: 'whole', done: true }), write('PATCH', '/5', { done: null, notes: 'x' })];
    expect(overlayRead(`${api}/5`, item, writes, fields, true)).toEqual({ kind: 'body', body: { id: 5, title: 'whole', notes: 'x' }, applied: 3 });
  });

  it('a pending DELETE makes it gone; writes of other resources change nothing', () => {
    expect(overlayRead(`${api}/5`, item, [write('PATCH', '/5', { title: 'x' }), write('DELETE', '/5')], fields, true)).toEqual({ kind: 'gone', applied: 2 });
    expect(overlayRead(`${api}/5`, item, [write('PATCH', '/6', { title: 'x' }), write('DELETE', '/5/notes/1')], fields, true)).toEqual({ kind: 'unchanged' });
  });

  it('a create the server has not seen is read from the log alone: temporary id and URL, later edits', () => {
    const writes = [create('tmp-1', { title: 'new' }), write('PATCH', '/tmp-1', { done: true })];
    expect(overlayRead(`${api}/tmp-1`, null, writes, fields, true)).toEqual({
      kind: 'body', body: { title: 'new', id: 'tmp-1', url: `${api}/tmp-1`, done: true }, applied: 2,
    });
    expect(overlayRead(`${api}/tmp-2`, null, writes, fields, true)).toEqual({ kind: 'unchanged' });
  });

  it('counts the writes merged into one', () => {
    expect(overlayRead(`${api}/5`, item, [write('PATCH', '/5', { title: 'x' }, { count: 3 })], fields, true)).toMatchObject({ applied: 3 });
  });
});

describe('a collection read with pending writes laid over it', () => {
  const list = [{ id: 1, title: 'one', url: `${api}/1` }, { id: 2, title: 'two', url: `${api}/2` }];

  it("gets its members' edits and deletes, and the pending creates with temporary ids and URLs, in log order", () => {
    const writes = [
      write('PATCH', '/1', { title: 'one, edited' }),
      create('tmp-a', { title: 'new' }),
      write('DELETE', '/2'),
      write('PATCH', '/tmp-a', { title: 'new, edited' }),
    ];
    expect(overlayRead(api, list, writes, fields, true)).toEqual({
      kind: 'body',
      body: [{ id: 1, title: 'one, edited', url: `${api}/1` }, { title: 'new, edited', id: 'tmp-a', url: `${api}/tmp-a` }],
      applied: 4,
    });
  });

  it('finds members by selfField when their URL is not their id', () => {
    const bySlug = [{ id: 9, slug: 'first', url: '/api/todos/first' }];
    expect(overlayRead(api, bySlug, [write('PATCH', '/first', { title: 'found' })], fields, true)).toMatchObject({ body: [{ id: 9, title: 'found' }] });
  });

  it('a create and its delete leave nothing; an edit of a member not in the list is not counted', () => {
    expect(overlayRead(api, list, [create('tmp-a', { title: 'x' }), write('DELETE', '/tmp-a')], fields, true)).toEqual({ kind: 'body', body: list, applied: 2 });
    expect(overlayRead(api, list, [write('PATCH', '/7', { title: 'x' })], fields, true)).toEqual({ kind: 'unchanged' });
  });

  it('a filtered read (creates off) gets edits and deletes but not the pending creates', () => {
    const writes = [create('tmp-a', { title: 'new' }), write('DELETE', '/1')];
    expect(overlayRead(api, list, writes, fields, false)).toEqual({ kind: 'body', body: [list[1]], applied: 1 });
  });

  it('a confirmed create (its real URL, the server\'s representation) replaces a member with its id, never doubles it', () => {
    const confirmed = write('POST', '/3', { id: 3, title: 'real' });
    const once = overlayRead(api, list, [confirmed], fields, true);
    expect(once).toMatchObject({ body: [list[0], list[1], { id: 3, title: 'real' }] });
    expect(overlayRead(api, (once as { body: unknown[] }).body, [confirmed], fields, true)).toMatchObject({ body: [list[0], list[1], { id: 3, title: 'real' }] });
  });
});

describe('what is not overlaid', () => {
  it('leaves bodies that are neither a JSON object nor an array unchanged', () => {
    expect(overlayRead(api, 'plain text', [write('DELETE', '/1')], fields, true)).toEqual({ kind: 'unchanged' });
    expect(overlayRead(api, 42, [write('PATCH', '', { a: 1 })], fields, true)).toEqual({ kind: 'unchanged' });
  });

  it('knows a resource\'s collection by its parent path', () => {
    expect(parentOf(`${api}/5`)).toBe(api);
    expect(parentOf(`${api}/5/`)).toBe(api);
    expect(parentOf('http://app.test/top')).toBe('http://app.test/');
  });
});

import { describe, expect, it } from 'vitest';
import { threeWayMerge } from '../sw/json/three-way-merge';

describe('three-way merge', () => {
  const base = { title: 'a', done: false, notes: 'n', tags: ['x'], meta: { color: 'red', size: 1 } };

  it('takes each side\'s changes to different fields', () => {
    expect(threeWayMerge(base, { ...base, title: 'mine' }, { ...base, done: true })).toEqual({ ok: true, merged: { ...base, title: 'mine', done: true } });
  });

  it('merges nested objects field by field', () => {
    const mine = { ...base, meta: { color: 'blue', size: 1 } };
    const theirs = { ...base, meta: { color: 'red', size: 2 } };
    expect(threeWayMerge(base, mine, theirs)).toEqual({ ok: true, merged: { ...base, meta: { color: 'blue', size: 2 } } });
  });

  it('treats arrays as values: both changing one is an overlap, one side changing it is not', () => {
    expect(threeWayMerge(base, { ...base, tags: ['x', 'y'] }, { ...base, tags: ['z'] })).toEqual({ ok: false, overlapping: ['tags'] });
    expect(threeWayMerge(base, { ...base, tags: ['x', 'y'] }, { ...base, title: 'b' })).toEqual({ ok: true, merged: { ...base, tags: ['x', 'y'], title: 'b' } });
  });

  it('is no conflict when both sides made the same change', () => {
    expect(threeWayMerge(base, { ...base, title: 'same' }, { ...base, title: 'same', done: true })).toEqual({ ok: true, merged: { ...base, title: 'same', done: true } });
  });

  it('deletes a field one side deleted and the other left alone; a delete against an edit overlaps', () => {
    const { notes: _gone, ...withoutNotes } = base;
    expect(threeWayMerge(base, withoutNotes, { ...base, done: true })).toEqual({ ok: true, merged: { ...withoutNotes, done: true } });
    expect(threeWayMerge(base, withoutNotes, { ...base, notes: 'edited' })).toEqual({ ok: false, overlapping: ['notes'] });
  });

  it('names every overlapping field, nested ones by path', () => {
    const mine = { ...base, title: 'mine', meta: { color: 'blue', size: 1 } };
    const theirs = { ...base, title: 'theirs', meta: { color: 'green', size: 1 } };
    expect(threeWayMerge(base, mine, theirs)).toEqual({ ok: false, overlapping: ['title', 'meta.color'] });
  });

  it('treats a change of type as a change of value', () => {
    expect(threeWayMerge(base, { ...base, meta: 'none' }, { ...base, meta: { color: 'red', size: 3 } })).toEqual({ ok: false, overlapping: ['meta'] });
    expect(threeWayMerge(base, { ...base, done: 'yes' }, base)).toEqual({ ok: true, merged: { ...base, done: 'yes' } });
  });
});

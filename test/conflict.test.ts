import { describe, expect, it } from 'vitest';
import { decideConflict, serverTimeOf, type ConflictInput } from '../sw/outcome/conflict';
import { lostFields } from '../sw/json/json';

const base = { id: 1, title: 'a', done: false, notes: '' };
const input = (extra: Partial<ConflictInput>): ConflictInput => ({
  strategy: 'merge', method: 'PATCH', local: { title: 'mine' }, base, server: { ...base, done: true }, localTime: 2000, serverTime: 1000, ...extra,
});

describe('conflict strategies (docs/protocol.md, Conflicts)', () => {
  it('server-wins drops the local change; client-wins sends it again as it is', () => {
    expect(decideConflict(input({ strategy: 'server-wins' }))).toEqual({ kind: 'drop' });
    expect(decideConflict(input({ strategy: 'client-wins' }))).toEqual({ kind: 'resend', how: 'client-wins' });
  });

  it('last-write-wins goes by time: the later of the local change and the server state wins', () => {
    expect(decideConflict(input({ strategy: 'last-write-wins', localTime: 2000, serverTime: 1000 }))).toEqual({ kind: 'resend', how: 'last-write-wins' });
    expect(decideConflict(input({ strategy: 'last-write-wins', localTime: 1000, serverTime: 2000 }))).toEqual({ kind: 'drop' });
    expect(decideConflict(input({ strategy: 'last-write-wins', serverTime: null }))).toMatchObject({ kind: 'resend' });
  });

  it('manual always waits for a person', () => {
    expect(decideConflict(input({ strategy: 'manual' }))).toEqual({ kind: 'wait', reason: 'manual', overlapping: [] });
  });

  it('merge re-sends a PATCH whose fields the server did not change', () => {
    expect(decideConflict(input({}))).toEqual({ kind: 'resend', how: 'merge' });
  });

  it('merge re-sends a PUT as the merged document', () => {
    const put = input({ method: 'PUT', local: { ...base, title: 'mine' } });
    expect(decideConflict(put)).toEqual({ kind: 'resend', how: 'merge', body: { ...base, title: 'mine', done: true } });
  });

  it('merge falls back to waiting on overlapping changes, with no base, and for a delete', () => {
    expect(decideConflict(input({ server: { ...base, title: 'theirs' } }))).toEqual({ kind: 'wait', reason: 'overlapping changes', overlapping: ['title'] });
    expect(decideConflict(input({ base: null }))).toMatchObject({ kind: 'wait', reason: 'no base representation to merge against' });
    expect(decideConflict(input({ method: 'DELETE', local: null }))).toMatchObject({ kind: 'wait' });
  });

  it('says which fields dropping a change loses', () => {
    expect(lostFields({ title: 'mine', done: true }, { title: 'theirs', done: true })).toEqual(['title']);
    expect(lostFields(null, {})).toEqual([]);
  });

  it('reads the server state\'s time from Last-Modified or updatedAt', () => {
    expect(serverTimeOf('Sun, 22 Nov 2026 10:00:00 GMT', null)).toBe(Date.parse('2026-11-22T10:00:00Z'));
    expect(serverTimeOf(null, { updatedAt: '2026-11-22T10:00:00.000Z' })).toBe(Date.parse('2026-11-22T10:00:00Z'));
    expect(serverTimeOf(null, {})).toBeNull();
  });
});

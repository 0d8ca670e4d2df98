import { describe, expect, it } from 'vitest';
import type { EntrySummary, OutboxStatus } from '../protocol/wire';
import { composeAnswer, conflictingFields, editedValue, wholeChoices, type ConflictCase, type FieldChoice } from '../ui/fields';
import { refusalText, resourceName } from '../ui/describe';
import { chipMessage, outlookOf } from '../ui/outlook';
import { uiOptionsFrom, isUiAttribute } from '../ui/settings';
import { defaultTexts, textsWith } from '../ui/texts';
import { settingsFromDataset } from '../client/settings';
import { SerialRead } from '../ui/serial-read';

const base = { id: 5, title: 'base title', done: false, notes: '', version: 1 };
const server = { id: 5, title: 'their title', done: false, notes: 'theirs', version: 2 };

describe('the conflict dialog: which fields a person decides', () => {
  it('a PATCH: the fields the user changed that the server has otherwise, with what they saw, theirs and mine', () => {
    const conflict: ConflictCase = { method: 'PATCH', local: { title: 'my title', done: true }, base, server };
    expect(conflictingFields(conflict)).toEqual([
      { field: 'title', base: 'base title', theirs: 'their title', mine: 'my title' },
      { field: 'done', base: false, theirs: false, mine: true },
    ]);
  });

  it('a field only the server changed (its version, its notes) is not asked about', () => {
    const fields = conflictingFields({ method: 'PUT', local: { ...base, title: 'mine' }, base, server })!;
    expect(fields.map((field) => field.field)).toEqual(['title']);
  });

  it('without a base, a PATCH is laid over the server\'s state: only its own fields can differ', () => {
    expect(conflictingFields({ method: 'PATCH', local: { title: 'mine', notes: 'theirs' }, base: null, server })).toEqual([
      { field: 'title', base: undefined, theirs: 'their title', mine: 'mine' },
    ]);
  });

  it('a field the user deleted is mine as absent', () => {
    expect(conflictingFields({ method: 'PATCH', local: { notes: null }, base: { ...base, notes: 'old' }, server })).toEqual([
      { field: 'notes', base: 'old', theirs: 'theirs', mine: undefined },
    ]);
  });

  it('a DELETE, or bodies that are not JSON objects, are kept or dropped whole', () => {
    expect(conflictingFields({ method: 'DELETE', local: null, base, server })).toBeNull();
    expect(conflictingFields({ method: 'PUT', local: null, base: null, server: 'text' })).toBeNull();
    expect(conflictingFields({ method: 'PUT', local: [1, 2], base: null, server })).toBeNull();
  });
});

describe('the conflict dialog: the answer the choices make', () => {
  const patch: ConflictCase = { method: 'PATCH', local: { title: 'my title', done: true }, base, server };
  const fields = conflictingFields(patch)!;

  it('a PATCH keeping mine for the title and theirs for done sends just the title over the server\'s state', () => {
    const choices = new Map<string, FieldChoice>([['title', { keep: 'mine' }], ['done', { keep: 'theirs' }]]);
    expect(composeAnswer(patch, fields, choices)).toEqual({ body: { title: 'my title' } });
  });

  it('keep all mine, keep all theirs', () => {
    expect(composeAnswer(patch, fields, wholeChoices(fields, 'mine'))).toEqual({ body: { title: 'my title', done: true } });
    expect(composeAnswer(patch, fields, wholeChoices(fields, 'theirs'))).toEqual({ body: {} });
  });

  it('an edited value is sent; a field kept absent is deleted (null in a merge patch)', () => {
    const deleting: ConflictCase = { method: 'PATCH', local: { notes: null }, base: { ...base, notes: 'old' }, server };
    const [notes] = conflictingFields(deleting)!;
    expect(composeAnswer(deleting, [notes!], wholeChoices([notes!], 'mine'))).toEqual({ body: { notes: null } });
    const edited = new Map<string, FieldChoice>([['title', { value: 'both titles' }], ['done', { keep: 'mine' }]]);
    expect(composeAnswer(patch, fields, edited)).toEqual({ body: { title: 'both titles', done: true } });
  });

  it('a PUT sends the whole document: the server\'s state with the chosen values', () => {
    const put: ConflictCase = { method: 'PUT', local: { ...base, title: 'mine' }, base, server };
    const putFields = conflictingFields(put)!;
    expect(composeAnswer(put, putFields, wholeChoices(putFields, 'mine'))).toEqual({ body: { ...server, title: 'mine' } });
  });

  it('a typed value is text for a text field, JSON where it parses for any other', () => {
    const [title, done] = fields;
    expect(editedValue(title!, '42')).toBe('42');
    expect(editedValue(done!, 'true')).toBe(true);
    expect(editedValue(done!, 'maybe')).toBe('maybe');
  });
});

const entry = (state: EntrySummary['state'], resource: string, extra: Partial<EntrySummary> = {}): EntrySummary => ({
  id: crypto.randomUUID(), seq: 1, method: 'PATCH', url: `http://app.test${resource}`, resource: `http://app.test${resource}`, tempId: null, state,
  attempts: 1, createdAt: 0, nextAttemptAt: 0, baseVersion: null, json: null, lastStatus: null, lastError: null, lastResponse: null,
  reason: null, server: null, base: null, ...extra,
});
const status = (extra: Partial<OutboxStatus> = {}): OutboxStatus => ({
  instance: 'w', pending: 0, inFlight: 0, dead: 0, online: true, draining: false, paused: false, lastError: null, servedOffline: false, ...extra,
});

describe('the status chip', () => {
  it('is out of the way online with nothing pending, and says all saved just after', () => {
    const outlook = outlookOf(status(), [], true);
    expect(chipMessage(outlook, defaultTexts, false)).toBeNull();
    expect(chipMessage(outlook, defaultTexts, true)).toBe('All changes saved');
  });

  it('offline with changes waiting; sending online', () => {
    const writes = [entry('queued', '/api/todos/1'), entry('held', '/api/todos/2')];
    expect(chipMessage(outlookOf(status(), writes, false), defaultTexts, false)).toBe('Offline · Changes waiting to be sent: 2');
    expect(chipMessage(outlookOf(status({ inFlight: 1 }), writes, true), defaultTexts, false)).toBe('Sending changes: 2');
  });

  it('counts what needs the person, and the writes waiting behind a conflict of their resource', () => {
    const writes = [entry('conflict', '/api/todos/1'), entry('queued', '/api/todos/1'), entry('queued', '/api/todos/2'), entry('dead', '/api/todos/3')];
    expect(chipMessage(outlookOf(status(), writes, true), defaultTexts, false)).toBe(
      'Need your attention: 2 · Waiting behind a conflict: 1 · Changes waiting to be sent: 1',
    );
  });

  it('speaks the app\'s own words', () => {
    const texts = textsWith({ offline: 'Hors ligne' });
    expect(chipMessage(outlookOf(status({ online: false }), [], true), texts, false)).toBe('Hors ligne');
    expect(() => textsWith({ ofline: 'typo' })).toThrow(/ofline/);
  });
});

describe('naming things for a person', () => {
  it('a resource by its title where known, else its path', () => {
    expect(resourceName('http://app.test/api/todos/5', null, { title: 'Buy milk' })).toBe('“Buy milk” (/api/todos/5)');
    expect(resourceName('http://app.test/api/todos/5', { done: true })).toBe('/api/todos/5');
  });

  it('a refusal by the server\'s status and its problem+json title and detail', () => {
    const refused = entry('dead', '/api/todos/1', { reason: 'rejected', lastStatus: 422, lastResponse: { title: 'Invalid todo', detail: 'title is too long' } });
    expect(refusalText(refused, defaultTexts)).toBe('422 refused: Invalid todo: title is too long');
    expect(refusalText(entry('dead', '/api/todos/1', { reason: 'max-attempts', lastStatus: 503, lastResponse: 'busy' }), defaultTexts)).toBe('503 too many attempts: busy');
    expect(refusalText(entry('dead', '/api/todos/1', { reason: 'expired' }), defaultTexts)).toBe('too old to send');
  });
});

describe('the drop-in\'s ui setting', () => {
  it('is on by default, off by data-ui="off" or "ui": "off"; attributes win over the file', () => {
    expect(uiOptionsFrom(undefined, {})).toEqual({ text: {} });
    expect(uiOptionsFrom(undefined, { ui: 'off' })).toBeNull();
    expect(uiOptionsFrom('off', {})).toBeNull();
    expect(uiOptionsFrom('off', { ui: 'on' })).toEqual({ text: {} });
  });

  it('placement and texts from the file and from kebab-case attributes', () => {
    const dataset = { uiPlacement: 'top-left', uiTextOffline: 'Hors ligne', uiTextKeepMine: 'Garder le mien' };
    expect(uiOptionsFrom({ placement: 'bottom-left', text: { saved: 'Enregistré', offline: 'off' } }, dataset)).toEqual({
      placement: 'top-left', text: { saved: 'Enregistré', offline: 'Hors ligne', keepMine: 'Garder le mien' },
    });
  });

  it('is not a worker setting', () => {
    expect(isUiAttribute('ui') && isUiAttribute('uiTextOffline') && !isUiAttribute('unique')).toBe(true);
    expect(settingsFromDataset({ routes: '/api/', ui: 'off', uiPlacement: 'top-left' })).toEqual({ routes: ['/api/'] });
  });
});

describe('reading the writes again after events', () => {
  it('one read at a time; asks during a read make exactly one more, so the last read follows the last ask', async () => {
    const seen: number[] = [];
    let reads = 0;
    let finish: (() => void) | null = null;
    const reader = new SerialRead(() => new Promise<number>((resolve) => (finish = () => resolve(++reads))), (value) => seen.push(value));
    reader.ask();
    reader.ask();
    reader.ask();
    expect(reads).toBe(0);
    finish!();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(seen).toEqual([1]);
    finish!();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(seen).toEqual([1, 2]);
    reader.ask();
    finish!();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(seen).toEqual([1, 2, 3]);
  });
});

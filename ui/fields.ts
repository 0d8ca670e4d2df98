// The conflict dialog's logic, kept pure so it is unit-tested alone: which fields a person
// decides, and the answer their choices make.
import type { ConflictAnswer } from '../protocol';
import { isRecord } from '../sw/json/json';
import { applyMergePatch } from '../sw/json/merge-patch';

/** A write that waits on a conflict, as the dialog sees it. */
export interface ConflictCase {
  method: string;
  /** The write's JSON body (a merge patch for PATCH), or null when it is not JSON. */
  local: unknown;
  /** What the user saw when they made the change, where the worker had it. */
  base: unknown;
  /** The server's state the write met. */
  server: unknown;
}

/** One field to decide. `undefined` means the field is absent on that side. */
export interface FieldConflict {
  field: string;
  base: unknown;
  theirs: unknown;
  mine: unknown;
}

/** What the person chose for one field: a side, or a value of their own. */
export type FieldChoice = { keep: 'mine' | 'theirs' } | { value: unknown };

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The document the user's write makes: a PATCH applied to what they saw (else to the server's state). */
function mineDocument({ method, local, base, server }: ConflictCase): Record<string, unknown> {
  const made = method === 'PATCH' ? applyMergePatch(isRecord(base) ? base : server, local) : local;
  return isRecord(made) ? made : {};
}

/**
 * The fields a person decides: those the user changed (from what they saw) to something the server
 * does not have. A field only the server changed keeps the server's value, as a merge would. Null
 * when the write can only be kept or dropped whole: a DELETE, or bodies that are not JSON objects.
 */
export function conflictingFields(conflict: ConflictCase): FieldConflict[] | null {
  if (conflict.method === 'DELETE' || !isRecord(conflict.local) || !isRecord(conflict.server)) return null;
  const mine = mineDocument(conflict);
  const theirs = conflict.server;
  const base = isRecord(conflict.base) ? conflict.base : null;
  return [...new Set([...Object.keys(mine), ...Object.keys(theirs)])]
    .filter((field) => !same(mine[field], theirs[field]) && (base === null || !same(mine[field], base[field])))
    .map((field) => ({ field, base: base?.[field], theirs: theirs[field], mine: mine[field] }));
}

/** The value a choice keeps for a field. */
export function chosenValue(field: FieldConflict, choice: FieldChoice): unknown {
  if ('value' in choice) return choice.value;
  return choice.keep === 'mine' ? field.mine : field.theirs;
}

/**
 * The answer the person's choices make, as `handleConflicts` would give it: the server's state with
 * the chosen values. A PATCH sends just what differs from the server's state (a merge patch, null
 * deleting), so the server's own later fields stand; other writes send the whole document.
 */
export function composeAnswer(conflict: ConflictCase, fields: FieldConflict[], choices: ReadonlyMap<string, FieldChoice>): ConflictAnswer {
  const values = fields.map((field) => [field, chosenValue(field, choices.get(field.field) ?? { keep: 'mine' })] as const);
  if (conflict.method === 'PATCH') {
    const patch: Record<string, unknown> = {};
    for (const [field, value] of values) if (!same(value, field.theirs)) patch[field.field] = value ?? null;
    return { body: patch };
  }
  const document: Record<string, unknown> = { ...(isRecord(conflict.server) ? conflict.server : {}) };
  for (const [field, value] of values) {
    if (value === undefined) delete document[field.field];
    else document[field.field] = value;
  }
  return { body: document };
}

/** Every field kept from one side. */
export function wholeChoices(fields: FieldConflict[], keep: 'mine' | 'theirs'): Map<string, FieldChoice> {
  return new Map(fields.map((field) => [field.field, { keep }]));
}

/**
 * What a person typed as a field's value: text for a text field; JSON where it parses for any
 * other (a number, true, a list), else the text as they typed it.
 */
export function editedValue(field: FieldConflict, typed: string): unknown {
  if (typeof field.mine === 'string' || typeof field.theirs === 'string') return typed;
  try {
    return JSON.parse(typed) as unknown;
  } catch {
    return typed;
  }
}

/** A value as the dialog shows it: text as it is, anything else as JSON, an absent field as `absent`. */
export function shownValue(value: unknown, absent: string): string {
  if (value === undefined) return absent;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Every text the drop-in's UI shows, in English. An app replaces any of them (`ui.text`), to
 * translate it or to say it its own way. `{n}` is a count, `{resource}` names what was changed,
 * `{fields}` lists fields, `{method}`, `{status}` and `{reason}` describe a refused write.
 * Counts are phrased "label: n" so no language needs plural rules.
 */
export const defaultTexts = {
  offline: 'Offline',
  waiting: 'Changes waiting to be sent: {n}',
  sending: 'Sending changes: {n}',
  saved: 'All changes saved',
  attention: 'Need your attention: {n}',
  behindConflict: 'Waiting behind a conflict: {n}',
  review: 'Review',
  conflictTitle: 'Your change to {resource} meets a newer one',
  conflictIntro: 'It was changed elsewhere since you saw it. Choose what to keep.',
  conflictWhole: 'This change cannot be compared field by field: keep yours or theirs.',
  youSaw: 'You saw',
  keepMine: 'Keep mine',
  keepTheirs: 'Keep theirs',
  edit: 'Edit',
  editLabel: 'New value of {field}',
  keepAllMine: 'Keep all mine',
  keepAllTheirs: 'Keep all theirs',
  saveChoices: 'Save my choices',
  later: 'Decide later',
  absent: '(none)',
  refusedTitle: 'Changes the server refused',
  refusedWrite: '{method} {resource}',
  refusedReason: '{status} {reason}',
  retry: 'Retry',
  discard: 'Discard',
  hide: 'Hide',
  rejected: 'refused',
  expired: 'too old to send',
  maxAttempts: 'too many attempts',
  conflict: 'a newer change won',
  cascade: 'an earlier change to it was refused',
  discarded: 'discarded',
  rolledBack: 'Your change to {resource} was undone. Lost: {fields}.',
  dismiss: 'Dismiss',
};

/** The texts of the UI; `ui.text` replaces any of them. */
export type UiTexts = typeof defaultTexts;

/** The texts with an app's replacements; an unknown name is a typo and fails loudly. */
export function textsWith(replacements: Partial<Record<string, string>> = {}): UiTexts {
  const unknown = Object.keys(replacements).filter((name) => !(name in defaultTexts));
  if (unknown.length > 0) throw new TypeError(`sw-outbox: unknown ui.text name(s) ${unknown.join(', ')}`);
  return { ...defaultTexts, ...replacements };
}

/** A text with its `{name}` slots filled. */
export function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (slot, name: string) => (name in values ? String(values[name]) : slot));
}

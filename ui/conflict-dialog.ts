import type { ConflictAnswer } from '../protocol';
import { button, el, focusedIn, uniqueId } from './dom';
import { resourceName } from './describe';
import { composeAnswer, conflictingFields, editedValue, shownValue, wholeChoices, type ConflictCase, type FieldChoice, type FieldConflict } from './fields';
import { fill, type UiTexts } from './texts';

/** A write waiting on a conflict, as the dialog asks about it. */
export interface WaitingConflict extends ConflictCase {
  id: string;
  url: string;
}

/** Where the dialog's outcome goes. */
export interface DialogOutcome {
  /** The person answered (the first answer from any tab wins). */
  answer(id: string, answer: ConflictAnswer): void;
  /** The person put it off (Escape, or Decide later); it reopens from the chip. */
  putOff(id: string): void;
}

/**
 * The conflict dialog: a modal `<dialog>` labelled with what the resource is. For each field the
 * user changed that the server has otherwise, what they saw, theirs and mine; keep either side per
 * field or for the whole item, or type a value. Bodies that are not JSON objects are kept or
 * dropped whole. Focus moves in when it opens and back where it was when it closes.
 */
export class ConflictDialog {
  readonly element = el('dialog');
  private shown: WaitingConflict | null = null;
  private returnFocusTo: HTMLElement | null = null;

  constructor(private readonly texts: UiTexts, private readonly outcome: DialogOutcome) {
    // Escape asks a modal dialog to close: that puts the conflict off. (Not on `close`, which
    // comes a task later, when the dialog may already ask about the next conflict.)
    this.element.addEventListener('cancel', (event) => {
      event.preventDefault();
      this.finish((id) => this.outcome.putOff(id));
    });
  }

  /** The id of the write the dialog asks about now, or null. */
  get showing(): string | null {
    return this.shown?.id ?? null;
  }

  /** Asks the person about `conflict`, focus moving into the dialog. */
  open(conflict: WaitingConflict): void {
    const labelId = uniqueId('conflict');
    const name = resourceName(conflict.url, conflict.base, conflict.server, conflict.local);
    const fields = conflictingFields(conflict);
    this.element.setAttribute('aria-labelledby', labelId);
    this.element.replaceChildren(
      el('h2', { id: labelId }, fill(this.texts.conflictTitle, { resource: name })),
      ...(fields ? this.fieldsForm(conflict, fields) : this.wholeForm()),
    );
    // Inside the UI's shadow root (the chip's Review), else wherever the page had it.
    const focused = focusedIn(this.element) ?? document.activeElement;
    this.returnFocusTo = focused instanceof HTMLElement && focused !== document.body ? focused : null;
    this.shown = conflict;
    if (!this.element.open) this.element.showModal();
  }

  /** Closes the dialog without an answer from here (another tab answered, or the UI unmounts). */
  close(): void {
    this.finish(() => undefined);
  }

  private finish(then: (id: string) => void): void {
    const shown = this.shown;
    this.shown = null;
    if (this.element.open) this.element.close();
    if (this.returnFocusTo?.isConnected) this.returnFocusTo.focus();
    this.returnFocusTo = null;
    if (shown) then(shown.id);
  }

  private answerWith(answer: ConflictAnswer): void {
    this.finish((id) => this.outcome.answer(id, answer));
  }

  /** A JSON conflict: a fieldset per field, and answers per field or whole. */
  private fieldsForm(conflict: WaitingConflict, fields: FieldConflict[]): HTMLElement[] {
    const choices = new Map<string, () => FieldChoice>();
    const fieldsets = fields.map((field) => {
      const { element, choice } = this.fieldChoice(field);
      choices.set(field.field, choice);
      return element;
    });
    const current = () => new Map([...choices].map(([field, choice]) => [field, choice()]));
    return [
      el('p', {}, this.texts.conflictIntro),
      ...fieldsets,
      el('div', { class: 'actions' },
        button(this.texts.saveChoices, () => this.answerWith(composeAnswer(conflict, fields, current())), 'primary'),
        button(this.texts.keepAllMine, () => this.answerWith(composeAnswer(conflict, fields, wholeChoices(fields, 'mine')))),
        button(this.texts.keepAllTheirs, () => this.answerWith(composeAnswer(conflict, fields, wholeChoices(fields, 'theirs')))),
        button(this.texts.later, () => this.finish((id) => this.outcome.putOff(id)))),
    ];
  }

  /** One field: what the user saw, then mine / theirs / a typed value to choose from (mine first). */
  private fieldChoice(field: FieldConflict): { element: HTMLFieldSetElement; choice: () => FieldChoice } {
    const group = uniqueId('field');
    const radio = (value: string, checked: boolean) => el('input', { type: 'radio', name: group, value, checked });
    const mine = radio('mine', true);
    const theirs = radio('theirs', false);
    const edit = radio('edit', false);
    const typed = el('input', { type: 'text', 'aria-label': fill(this.texts.editLabel, { field: field.field }) });
    typed.value = shownValue(field.mine ?? '', '');
    typed.addEventListener('input', () => (edit.checked = true));
    const show = (value: unknown) => el('span', {}, shownValue(value, this.texts.absent));
    const element = el('fieldset', {},
      el('legend', {}, field.field),
      el('p', { class: 'muted' }, `${this.texts.youSaw}: `, show(field.base)),
      el('label', {}, mine, `${this.texts.keepMine}: `, show(field.mine)),
      el('label', {}, theirs, `${this.texts.keepTheirs}: `, show(field.theirs)),
      el('label', {}, edit, this.texts.edit),
      typed);
    const choice = (): FieldChoice => {
      if (edit.checked) return { value: editedValue(field, typed.value) };
      return { keep: theirs.checked ? 'theirs' : 'mine' };
    };
    return { element, choice };
  }

  /** A write that cannot be compared field by field: kept as it was, or dropped. */
  private wholeForm(): HTMLElement[] {
    return [
      el('p', {}, this.texts.conflictWhole),
      el('div', { class: 'actions' },
        button(this.texts.keepMine, () => this.answerWith({ resend: true }), 'primary'),
        button(this.texts.keepTheirs, () => this.answerWith({ discard: true })),
        button(this.texts.later, () => this.finish((id) => this.outcome.putOff(id)))),
    ];
  }
}

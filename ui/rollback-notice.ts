import { button, el } from './dom';
import { fill, type UiTexts } from './texts';

/** How many notices stay at once: the oldest goes when another comes. */
const keptNotices = 3;

/**
 * Notices that a change was rolled back (the server's state won, or the server refused it),
 * naming the resource and the fields lost. Each stays until dismissed: a person reads at their
 * own pace. The list is a polite live region, so each new notice is announced.
 */
export class RollbackNotices {
  readonly element = el('div', { role: 'status', class: 'notices' });

  constructor(private readonly texts: UiTexts) {}

  /** Tells the person that their change to `resource` was undone, losing `fields`. */
  add(resource: string, fields: readonly string[]): void {
    const text = fill(this.texts.rolledBack, { resource, fields: fields.length > 0 ? fields.join(', ') : this.texts.absent });
    const notice = el('div', { class: 'notice' }, el('p', {}, text));
    notice.append(el('div', { class: 'actions' }, button(this.texts.dismiss, () => notice.remove())));
    this.element.append(notice);
    while (this.element.children.length > keptNotices) this.element.firstElementChild?.remove();
  }

  clear(): void {
    this.element.replaceChildren();
  }
}

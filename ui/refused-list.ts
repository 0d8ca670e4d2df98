import type { EntrySummary } from '../protocol';
import { button, el, focusedIn, uniqueId } from './dom';
import { refusalText, resourceName } from './describe';
import { fill, type UiTexts } from './texts';

/** What the person can do with a refused write. */
export interface RefusedActions {
  retry(id: string): void;
  discard(id: string): void;
  hide(): void;
}

/**
 * The writes that will not reach the server unless the person acts (refused, expired, too many
 * attempts, lost to a newer change): each with the server's status and reason, Retry and Discard.
 */
export class RefusedList {
  readonly element: HTMLElement;
  private readonly heading: HTMLHeadingElement;
  private readonly list = el('ul');
  /** What the items show now, to leave them be when nothing changed. */
  private shown = '';

  constructor(private readonly texts: UiTexts, private readonly actions: RefusedActions) {
    const headingId = uniqueId('refused');
    this.heading = el('h2', { id: headingId, tabindex: '-1' }, texts.refusedTitle);
    this.element = el('section', { class: 'panel', 'aria-labelledby': headingId, hidden: true }, this.heading, this.list,
      el('div', { class: 'actions' }, button(texts.hide, () => actions.hide())));
  }

  /** Shows these writes, or hides the list (`open` false, or nothing refused). */
  render(refused: readonly EntrySummary[], open: boolean): void {
    const hadFocus = this.element.contains(focusedIn(this.element));
    this.element.hidden = !open || refused.length === 0;
    // Items are made anew only when what they say changed: a button keeps focus across status updates.
    const shown = JSON.stringify(refused.map((entry) => [entry.id, entry.reason, entry.lastStatus, entry.lastResponse]));
    if (shown === this.shown) return;
    this.shown = shown;
    this.list.replaceChildren(...refused.map((entry) => this.item(entry)));
    // The button pressed may be gone with its write: focus stays in the list, on its heading.
    if (hadFocus && !this.element.hidden && !this.element.contains(focusedIn(this.element))) this.heading.focus();
  }

  /** Brings the list into view with focus on its heading. */
  focus(): void {
    this.heading.focus();
  }

  private item(entry: EntrySummary): HTMLLIElement {
    const what = fill(this.texts.refusedWrite, { method: entry.method, resource: resourceName(entry.url, entry.json, entry.base) });
    return el('li', {},
      el('h3', {}, what),
      el('p', { class: 'reason' }, refusalText(entry, this.texts)),
      el('div', { class: 'actions' },
        button(this.texts.retry, () => this.actions.retry(entry.id), 'primary'),
        button(this.texts.discard, () => this.actions.discard(entry.id))));
  }
}

import { button, el } from './dom';
import type { UiTexts } from './texts';

/**
 * The status chip: one line on what the outbox is doing, and a Review button when something
 * needs the person. Its words are also in a polite live region that is always in the page, so
 * a screen reader hears each change, even the chip's first appearance.
 */
export class StatusChip {
  /** The live region: announced politely, never seen. */
  readonly announcer = el('p', { role: 'status', class: 'sr-only' });
  /** The chip as seen. */
  readonly element: HTMLElement;
  private readonly message = el('span', { 'aria-hidden': 'true' });
  private readonly review: HTMLButtonElement;

  constructor(texts: UiTexts, onReview: () => void) {
    this.review = button(texts.review, onReview, 'primary');
    this.element = el('div', { class: 'chip', hidden: true }, this.message, this.review);
  }

  /** Shows `message` (null: the chip gets out of the way); `actionable` shows Review. */
  show(message: string | null, actionable: boolean): void {
    this.element.hidden = message === null;
    this.review.hidden = !actionable;
    if (this.announcer.textContent !== (message ?? '')) this.announcer.textContent = message ?? '';
    this.message.textContent = message ?? '';
  }

  /** Puts focus on Review (where focus returns when a dialog is put off). */
  focusReview(): void {
    if (!this.review.hidden) this.review.focus();
  }
}

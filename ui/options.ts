import type { OutboxClient } from '../client/client';
import type { UiTexts } from './texts';

/** Which corner of the window the status chip (and what opens from it) sits in. */
export type Placement = 'bottom-right' | 'bottom-left' | 'top-right' | 'top-left';

export const placements: readonly Placement[] = ['bottom-right', 'bottom-left', 'top-right', 'top-left'];

/** How `mountOutboxUI` shows the UI. */
export interface UiOptions {
  /** Default `bottom-right`. */
  placement?: Placement;
  /** Replacements for any of the texts (another language, say); see `defaultTexts`. */
  text?: Partial<UiTexts>;
  /** Where the UI's host element goes. Default `document.body`. */
  container?: HTMLElement;
}

/** What the UI uses of the client: its public API only. */
export type UiClient = Pick<OutboxClient, 'subscribeStatus' | 'on' | 'list' | 'retry' | 'discard' | 'resolve' | 'answersConflicts'>;

/** A mounted UI. */
export interface OutboxUI {
  /** Removes the UI and stops listening to the client. */
  unmount(): void;
}

// `sw-outbox/ui`: the outbox's UI for a person, the same one the drop-in shows by itself.
export { mountOutboxUI } from './mount';
export { defaultTexts, type UiTexts } from './texts';
export type { OutboxUI, Placement, UiClient, UiOptions } from './options';

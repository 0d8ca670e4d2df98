// What the status chip says, from the worker's status and the writes it lists; pure.
import type { EntrySummary, OutboxStatus } from '../protocol';
import { fill, type UiTexts } from './texts';

/** The figures the chip speaks of. */
export interface Outlook {
  online: boolean;
  /** Writes still to be sent, not counting those waiting on a conflict. */
  waiting: number;
  sending: boolean;
  conflicts: number;
  refused: number;
  /** Writes that wait behind a conflict of their resource (order is kept). */
  behindConflict: number;
}

/** The outlook of a status and the writes listed with it; `online` is the page's own view too. */
export function outlookOf(status: OutboxStatus, entries: readonly EntrySummary[], pageOnline: boolean): Outlook {
  const conflicts = entries.filter((entry) => entry.state === 'conflict');
  const inConflict = new Set(conflicts.map((entry) => entry.resource));
  const toSend = entries.filter((entry) => entry.state === 'queued' || entry.state === 'held');
  return {
    online: status.online && pageOnline,
    waiting: toSend.length,
    sending: status.inFlight > 0,
    conflicts: conflicts.length,
    refused: entries.filter((entry) => entry.state === 'dead').length,
    behindConflict: toSend.filter((entry) => inConflict.has(entry.resource)).length,
  };
}

/** What needs the person: conflicts waiting for them and refused writes. */
export function attentionOf(outlook: Outlook): number {
  return outlook.conflicts + outlook.refused;
}

/**
 * The chip's message, or null when there is nothing to say (online, nothing pending): the chip
 * is then out of the way. `justSaved` says the last writes were just confirmed.
 */
export function chipMessage(outlook: Outlook, texts: UiTexts, justSaved: boolean): string | null {
  const parts: string[] = [];
  if (!outlook.online) parts.push(texts.offline);
  const attention = attentionOf(outlook);
  if (attention > 0) parts.push(fill(texts.attention, { n: attention }));
  if (outlook.behindConflict > 0) parts.push(fill(texts.behindConflict, { n: outlook.behindConflict }));
  const unblocked = outlook.waiting - outlook.behindConflict;
  if (unblocked > 0) parts.push(fill(outlook.online && outlook.sending ? texts.sending : texts.waiting, { n: unblocked }));
  if (parts.length === 0 && justSaved) parts.push(texts.saved);
  return parts.length > 0 ? parts.join(' · ') : null;
}

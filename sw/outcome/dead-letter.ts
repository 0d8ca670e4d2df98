import type { StoredEntry } from '../log/entry';
import { rejectedEvents } from '../events/kinds';
import type { OutcomeContext } from './context';

/**
 * A write that will not happen: dead-lettered (kept, visible, retryable), or for a live write
 * whose page already has the server's answer, removed. Later writes of its resource were made on
 * top of it and go with it; each is announced. `answer` is the server's, when it said no; a write
 * dropped by a conflict was announced as a conflict already.
 */
export async function deadLetter(
  context: OutcomeContext,
  entry: StoredEntry,
  reason: string,
  answer: { status: number; body: unknown } | null,
  live: boolean,
): Promise<void> {
  const cascaded = await context.entries.kill(entry, reason, true);
  if (live) await context.entries.remove(entry.id);
  if (reason !== 'conflict') context.events.emit(...rejectedEvents(entry, reason, answer, live));
  context.events.dropped(cascaded, 'cascade');
  context.status.changed();
}

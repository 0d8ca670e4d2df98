import type { ConflictAnswer } from '../../protocol';
import { jsonBodyOf, newIdempotencyKey, type StoredEntry } from '../log/entry';
import { versionOf } from '../log/learning';
import { conflictEvents, resolvedEvents } from '../events/kinds';
import { jsonBytes } from '../json/json';
import { decideConflict, serverTimeOf } from './conflict';
import type { OutcomeContext } from './context';
import { deadLetter } from './dead-letter';
import type { Step } from './step';

/** Asks the open pages about a write that waits on a conflict (pages/conflict-desk.ts). */
export type PersonAsker = (entry: StoredEntry) => void;

/**
 * A version conflict (412, or 409 with the current representation): the route's strategy decides
 * (conflict.ts) and this carries it out. The server's state is learned first; a re-send is a new
 * request with a new key against the server's version; a write that waits holds its lane until a
 * page answers; a dropped change is said to be, with the fields lost (docs/protocol.md, Conflicts).
 */
export async function settleConflict(
  context: OutcomeContext,
  askPerson: PersonAsker,
  entry: StoredEntry,
  response: Response,
  body: unknown,
  live: boolean,
): Promise<Step> {
  const { config, entries, learned, events } = context;
  const serverVersion = versionOf(response, body, config);
  const local = jsonBodyOf(entry);
  const action = decideConflict({
    strategy: entry.conflict, method: entry.method, local, base: entry.baseRepresentation, server: body,
    localTime: entry.createdAt, serverTime: serverTimeOf(response.headers.get('last-modified'), body),
  });
  await learned.learnVersion({ resource: entry.resource, version: serverVersion, representation: body, at: Date.now() });
  const dropped = action.kind === 'drop' || (action.kind === 'resend' && entry.attempts >= config.maxAttempts);
  const waiting = action.kind === 'wait' ? { reason: action.reason, overlapping: action.overlapping } : null;
  events.emit(...conflictEvents(entry, { status: response.status, local, server: body, dropped, waiting }));

  if (action.kind === 'wait') {
    const waits: StoredEntry = { ...entry, state: 'conflict', baseVersion: serverVersion, chained: false, serverState: body, reason: action.reason, overlapping: action.overlapping };
    await entries.put(waits);
    askPerson(waits);
    return { kind: 'wait', state: 'conflict', entry: waits, networkDown: false };
  }
  if (action.kind === 'resend' && !dropped) {
    // Re-sent against the server's state it met: that is its base now, for a later conflict or read.
    const resent: StoredEntry = { ...entry, baseVersion: serverVersion, baseRepresentation: body, chained: false, idempotencyKey: newIdempotencyKey() };
    if (action.body !== undefined) resent.body = jsonBytes(action.body);
    await entries.put(resent);
    events.emit(...resolvedEvents(entry, action.how));
    return { kind: 'continue', lane: entry.resource };
  }
  await deadLetter(context, entry, 'conflict', { status: response.status, body }, live);
  return live ? { kind: 'answered', response, settling: Promise.resolve() } : { kind: 'continue', lane: entry.resource };
}

/**
 * A page's answer to a conflict that waits: the write goes again with the page's body, or as it
 * was (a new request, new key, against the server's version it met), or it is dropped with the later writes
 * made on top of it. False when the write is not waiting on a conflict (another page answered first).
 */
export async function answerConflict(context: OutcomeContext, id: string, answer: ConflictAnswer): Promise<boolean> {
  const { entries, events, status } = context;
  const entry = await entries.get(id);
  if (!entry || entry.state !== 'conflict') return false;
  if ('discard' in answer) {
    events.emit(...resolvedEvents(entry, 'discarded'));
    await deadLetter(context, entry, 'discarded', null, false);
  } else {
    await entries.put({
      // `resend` keeps the write's own bytes: a body that is not JSON goes again unchanged.
      ...entry, body: 'resend' in answer ? entry.body : jsonBytes(answer.body), state: 'queued', idempotencyKey: newIdempotencyKey(),
      // The person answered knowing the server's state: that is the answer's base.
      baseRepresentation: entry.serverState ?? entry.baseRepresentation,
      failures: 0, nextAttemptAt: 0, reason: null, serverState: null, overlapping: [],
    });
    events.emit(...resolvedEvents(entry, 'manual'));
  }
  status.changed();
  return true;
}

import type { StoredEntry } from '../log/entry';
import { idMappingOf } from '../log/remap';
import { backoffDelay } from './backoff';
import { versionOf } from '../log/learning';
import { confirmedEvents, heldEvent, idMapEvent, retryingEvent } from '../events/kinds';
import { isRecord, readBody } from '../json/json';
import type { Attempt, Outcome } from './classify';
import type { OutcomeContext } from './context';
import { deadLetter } from './dead-letter';
import { confirmedRewrite } from '../reads/write-through';
import { settleConflict, type PersonAsker } from './conflicts';
import type { Step } from './step';
import type { LaneAfterConfirm } from '../log/entries';

/**
 * Turns one attempt into everything its outcome means (docs/protocol.md, Outcomes): the log
 * changed, the tabs told, and the step the lane (and a waiting page) takes next.
 */
export class Settler {
  constructor(private readonly context: OutcomeContext, private readonly askPerson: PersonAsker) {}

  async settle(entry: StoredEntry, attempt: Attempt, live: boolean): Promise<Step> {
    const { outcome, response } = attempt;
    if (outcome.kind === 'confirmed' && response) return this.confirm(entry, attempt, response, live);
    const body = response ? await bodyOf(attempt, response, live) : null;
    const failed: StoredEntry = {
      ...entry,
      lastStatus: response?.status ?? null,
      lastError: attempt.error,
      lastResponse: body,
      attempts: response ? entry.attempts + 1 : entry.attempts,
    };
    const answer = response ? { status: response.status, body } : null;
    switch (outcome.kind) {
      case 'conflict':
        return settleConflict(this.context, this.askPerson, failed, response!, body, live);
      case 'reject':
        await deadLetter(this.context, failed, 'rejected', answer, live);
        return live && response ? { kind: 'answered', response, settling: Promise.resolve() } : { kind: 'continue', lane: entry.resource };
      case 'hold':
        return this.hold(failed, failed.lastStatus, `HTTP ${failed.lastStatus}`);
      case 'retry':
        return this.retry(failed, outcome, answer);
      default:
        throw new Error(`unreachable outcome ${outcome.kind}`);
    }
  }

  /** A write that waits for a page to supply credentials; its resource's later writes wait with it. */
  async hold(entry: StoredEntry, status: number | null, reason: string): Promise<Step> {
    const held: StoredEntry = { ...entry, state: 'held', reason };
    await this.context.entries.put(held);
    this.context.events.emit(heldEvent(held, status, reason));
    this.context.status.changed();
    return { kind: 'wait', state: 'held', entry: held, networkDown: false };
  }

  /**
   * A confirmed write: removed from the log with what its answer teaches (version, real id), in
   * one transaction. A live write's page gets the answer at once; the log settles after it. A
   * replay's lane goes on once its next head is read, while the transaction commits (the pipeline,
   * docs/architecture.md): that write is based on the version this answer brought, and its key
   * makes it safe should the commit fail.
   */
  private async confirm(entry: StoredEntry, attempt: Attempt, response: Response, live: boolean): Promise<Step> {
    let laneRead: (after: LaneAfterConfirm) => void = () => undefined;
    const read = new Promise<LaneAfterConfirm>((resolve) => (laneRead = resolve));
    const settling = (async () => {
      const { config, entries, events, status } = this.context;
      // The lane's next write, when the confirmation before read it, goes now: before this
      // confirmation is asked for and, where the version is a header, before the body is read
      // (docs/architecture.md, The lookahead). A create's answer may rename the lane: not then.
      const goOn = (version: string | null): void => {
        const next = entries.knownNext(entry, version);
        if (next) laneRead({ lane: entry.lane ?? entry.resource, head: next });
      };
      const readAhead = !live && !entry.tempId;
      const versionInHeader = config.versioning === 'etag' || config.versioning === 'off';
      if (readAhead && versionInHeader) goOn(versionOf(response, null, config));
      const body = await bodyOf(attempt, response, live);
      const version = versionOf(response, body, config);
      if (readAhead && !versionInHeader) goOn(version);
      const mapping = entry.tempId ? idMappingOf(entry, body, response.headers.get('location'), config.idField, Date.now()) : null;
      const representation = isRecord(body) || Array.isArray(body) ? body : null;
      const kept = confirmedRewrite(config, entry, representation, mapping);
      const settled = await entries.confirm(entry, { version, representation, mapping, kept }, laneRead);
      events.emit(...confirmedEvents(entry, { status: response.status, body, version }, live));
      if (mapping) events.emit(idMapEvent(mapping));
      status.changed();
      return settled;
    })();
    if (live) return { kind: 'answered', response, settling };
    // A commit that fails before the lane is read rejects here, as it did before the pipeline.
    const { lane, head } = await Promise.race([read, settling]);
    return { kind: 'continue', lane, head: head ?? null, settling };
  }

  /** Sent again later, after a backoff and never before a server's Retry-After; dead after `maxAttempts` answers. */
  private async retry(entry: StoredEntry, outcome: Extract<Outcome, { kind: 'retry' }>, answer: { status: number; body: unknown } | null): Promise<Step> {
    const { config, entries, events } = this.context;
    if (outcome.counts && entry.attempts >= config.maxAttempts) {
      await deadLetter(this.context, entry, 'max-attempts', answer, false);
      return { kind: 'continue', lane: entry.resource };
    }
    const now = Date.now();
    const failures = entry.failures + 1;
    const retrying: StoredEntry = {
      ...entry,
      failures,
      nextAttemptAt: now + backoffDelay(failures, config.maxBackoffMs),
      notBefore: outcome.retryAfterMs === null ? 0 : now + outcome.retryAfterMs,
    };
    await entries.put(retrying);
    events.emit(retryingEvent(retrying, outcome.reason));
    return { kind: 'wait', state: 'queued', entry: retrying, networkDown: answer === null };
  }
}

/** An attempt's answer body: as it was read already, or read now (from a clone only when a waiting page gets the answer whole). */
function bodyOf(attempt: Attempt, response: Response, live: boolean): Promise<unknown> {
  return 'body' in attempt ? Promise.resolve(attempt.body) : readBody(response, !live);
}

import { batchContentType, type OutboxConfig } from '../../protocol';
import { decodeBatchAnswer, encodeBatch, type BatchResult, type BatchWrite } from '../../protocol/batch';
import type { StoredEntry } from '../log/entry';
import { sentEvent } from '../events/kinds';
import type { Attempt } from '../outcome/classify';
import type { DispatchParts } from '../send/dispatch';
import type { Step } from '../outcome/step';
import { attemptOf, failedAttempt } from '../send/attempt';
import { outgoingWrite } from '../send/request';
import { afterItsSettling, releaseWhenSettled } from '../send/release';
import { bodyOfText } from '../json/json';
import { BatchDirectory } from './directory';

/** What sending one batch came to. */
export type BatchSent =
  /** Each write settled exactly as if it had come alone: its lane's next step, in the order given. */
  | { kind: 'settled'; steps: Step[] }
  /** The URL does not take batches (404/405/501): nothing was applied; the writes go alone. */
  | { kind: 'refused' }
  /** Over the server's limits (413): nothing was applied; the batch goes again in smaller ones. */
  | { kind: 'too-large' };

/** What a batch works with: what a single send does, but no page's credentials and no verification (such writes go alone). */
export type BatchSenderParts = Omit<DispatchParts, 'credentials' | 'verifier'>;

/**
 * Sends the heads of several lanes in one request (docs/protocol.md, Batch replay) and settles each
 * write from its own result: confirmed, conflict, retried with its own backoff and Retry-After,
 * held or rejected, one failing never failing the others. A batch lost on the wire is sent again
 * whole later; each write's key makes that safe. The caller holds every write's lane.
 */
export class BatchSender {
  constructor(private readonly parts: BatchSenderParts) {}

  /**
   * `entries` are marked as sending already (nothing may be merged into them from the moment their
   * lane's head was read): each is unmarked once its outcome is in the log. A batch refused or too
   * large leaves them marked, for the caller to send another way.
   */
  async send(entries: StoredEntry[], batchUrl: string): Promise<BatchSent> {
    try {
      return await this.sendAndSettle(entries, batchUrl);
    } catch (error) {
      for (const entry of entries) this.parts.inFlight.settled(entry.id);
      throw error;
    }
  }

  private async sendAndSettle(entries: StoredEntry[], batchUrl: string): Promise<BatchSent> {
    const { config, events, status, network, inFlight, batches } = this.parts;
    const signal = AbortSignal.timeout(config.timeoutMs);
    const writes = entries.map((entry) => batchWriteOf(entry, config));
    for (const entry of entries) events.emit(sentEvent(entry));
    let response: Response;
    try {
      response = await inFlight.request(() => {
        status.changed();
        return this.parts.fetch(new Request(batchUrl, {
          method: 'POST', body: encodeBatch(writes), credentials: 'same-origin', signal,
          headers: { 'Content-Type': batchContentType, Accept: batchContentType },
        }));
      });
    } catch (error) {
      network.failed(batchUrl);
      return this.settleEach(entries, () => failedAttempt(error));
    }
    network.answered();
    status.changed();
    if (BatchDirectory.refuses(response.status)) {
      batches.refuse(batchUrl);
      return { kind: 'refused' };
    }
    if (response.status === 413) return { kind: 'too-large' };
    // The batch itself not taken (a 5xx, a 429, a 401): that answer is each write's.
    if (!response.ok) return this.settleEach(entries, () => attemptOf(response.clone()));
    let results: Map<string, BatchResult>;
    try {
      results = new Map(decodeBatchAnswer(await response.text()).map((result) => [result.id, result]));
    } catch (error) {
      // An answer that cannot be read may still have been applied: sent again, the keys hold.
      return this.settleEach(entries, () => failedAttempt(error));
    }
    return this.settleEach(entries, (entry) => {
      const result = results.get(entry.id);
      if (!result || result.status < 200) return failedAttempt(new Error('the batch answer has no final result for this write'));
      const response = responseOf(result);
      return { ...attemptOf(response), body: bodyOfResult(result, response) };
    });
  }

  private async settleEach(entries: StoredEntry[], attemptFor: (entry: StoredEntry) => Attempt): Promise<BatchSent> {
    const { settler, status } = this.parts;
    const steps = await Promise.all(entries.map((entry) => {
      const attempt = attemptFor(entry);
      status.noteError(attempt.error, attempt.outcome.kind === 'confirmed');
      return releaseWhenSettled(() => settler.settle(entry, attempt, false), () => this.parts.inFlight.settled(entry.id), afterItsSettling);
    }));
    return { kind: 'settled', steps };
  }
}

/** A write as it goes in a batch: exactly the method, URL, headers and bytes it would go with alone. */
function batchWriteOf(entry: StoredEntry, config: OutboxConfig): BatchWrite {
  const { method, url, headers, body } = outgoingWrite(entry, config, null);
  return { id: entry.id, method, url, headers: Object.fromEntries(headers), body: new Uint8Array(body ?? new ArrayBuffer(0)) };
}

const decoder = new TextDecoder();

/** A result's body as the settler reads an answer's (`readBody`), from the bytes the batch brought: no second read. */
function bodyOfResult(result: BatchResult, response: Response): unknown {
  return bodyOfText(decoder.decode(result.body), response.headers.get('content-type'));
}

/** Statuses whose answers have no body, by the Fetch standard. */
const nullBodyStatuses = new Set([204, 205, 304]);

/** One write's result as the answer it would have had alone. */
function responseOf(result: BatchResult): Response {
  const body = nullBodyStatuses.has(result.status) || result.body.length === 0 ? null : (result.body as Uint8Array<ArrayBuffer>);
  return new Response(body, { status: result.status, headers: result.headers });
}

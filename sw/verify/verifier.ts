import type { OutboxConfig } from '../../protocol';
import { jsonBodyOf, type StoredEntry } from '../log/entry';
import type { LearnedStore } from '../log/learned';
import { versionOf } from '../log/learning';
import { readBody } from '../json/json';
import { classifyAnswer, type Attempt } from '../outcome/classify';
import { failedAttempt } from '../send/attempt';
import type { Settler } from '../outcome/settle';
import type { Step } from '../outcome/step';
import type { InFlight } from '../send/in-flight';
import type { NetworkState } from '../send/network';
import { verdictOf, whenGone } from './rule';

/** What verifying a write came to: it goes (with the version just learned), or the read settled it. */
export type Verified = { kind: 'send'; entry: StoredEntry } | { kind: 'settled'; step: Step };

export interface VerifierParts {
  config: OutboxConfig;
  learned: LearnedStore;
  network: NetworkState;
  inFlight: InFlight;
  settler: Settler;
  fetch: typeof fetch;
}

/** Request headers a read must not carry: they describe the write's body or condition the write. */
const writeOnlyHeaders = ['content-type', 'content-length', 'content-encoding', 'if-match', 'if-none-match', 'if-unmodified-since', 'idempotency-key'];

/**
 * Reads a resource before a write that waited goes to it, when its version is unknown
 * (docs/protocol.md, Verification): the write then goes with the version the read taught, or the
 * read's answer settles it exactly as the write's own answer would have: a conflict when the
 * server changed what the write is about since its base, a retry or a hold when the read could not
 * be made, and what 404/410 means for its method (rule.ts). The caller holds the write's lane.
 */
export class Verifier {
  constructor(private readonly parts: VerifierParts) {}

  /** `headers`: what the write itself would carry (a page's own, or fresh credentials); null for the log's. */
  async verify(entry: StoredEntry, headers: [string, string][] | null, live: boolean): Promise<Verified> {
    const { network, inFlight, settler, config } = this.parts;
    let response: Response;
    try {
      response = await inFlight.request(() => this.parts.fetch(readRequest(entry, headers, config.timeoutMs)));
    } catch (error) {
      network.failed(entry.url);
      const failed = failedAttempt(error);
      const attempt: Attempt = { ...failed, error: `verifying: ${failed.error}` };
      return { kind: 'settled', step: await settler.settle(entry, attempt, live) };
    }
    network.answered();
    if (response.status === 404 || response.status === 410) {
      const outcome = whenGone(entry.method) === 'confirm' ? ({ kind: 'confirmed' } as const) : ({ kind: 'reject' } as const);
      return { kind: 'settled', step: await settler.settle(entry, { outcome, response, error: `verifying: HTTP ${response.status}` }, live) };
    }
    if (!response.ok) {
      const outcome = classifyAnswer({ status: response.status, retryAfter: response.headers.get('retry-after'), contentType: null, hasBody: false }, Date.now());
      // A read the server will not answer (405, say) cannot verify anything: the write goes as it is.
      if (outcome.kind !== 'retry' && outcome.kind !== 'hold') return { kind: 'send', entry };
      return { kind: 'settled', step: await settler.settle(entry, { outcome, response, error: `verifying: HTTP ${response.status}` }, live) };
    }
    const server = await readBody(response);
    const version = versionOf(response, server, config);
    await this.parts.learned.learnVersion({ resource: entry.resource, version, representation: server, at: Date.now() });
    const verdict = verdictOf(entry.method, entry.baseRepresentation, jsonBodyOf(entry), server);
    if (verdict.kind === 'unchanged') return { kind: 'send', entry: { ...entry, baseVersion: version } };
    // Changed since the user's base: the very conflict a conditional write would have met.
    return { kind: 'settled', step: await settler.settle(entry, { outcome: { kind: 'conflict' }, response: asConflict(response, server), error: 'verifying: changed since its base' }, live) };
  }
}

/** The read of a write's resource: its URL, with the write's headers minus those only a write has. */
export function readRequest(entry: Pick<StoredEntry, 'url' | 'headers'>, headers: [string, string][] | null, timeoutMs: number): Request {
  const read = new Headers(headers ?? entry.headers);
  for (const name of writeOnlyHeaders) read.delete(name);
  if (!read.has('accept')) read.set('accept', 'application/json');
  return new Request(entry.url, { method: 'GET', headers: read, credentials: 'same-origin', cache: 'no-store', signal: AbortSignal.timeout(timeoutMs) });
}

/**
 * The read's answer as the 412 a conditional write would have met: the current representation,
 * with its validator and date, so the conflict is settled (and a waiting page answered) exactly so.
 */
function asConflict(read: Response, representation: unknown): Response {
  const headers = new Headers({ 'content-type': 'application/json' });
  for (const name of ['etag', 'last-modified']) {
    const value = read.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  return new Response(JSON.stringify(representation), { status: 412, statusText: 'Precondition Failed', headers });
}

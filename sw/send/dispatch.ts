import type { OutboxConfig } from '../../protocol';
import type { StoredEntry } from '../log/entry';
import type { EventHub } from '../events/hub';
import type { StatusReporter } from '../events/status';
import { sentEvent } from '../events/kinds';
import type { InFlight } from './in-flight';
import type { NetworkState } from './network';
import type { Settler } from '../outcome/settle';
import type { Step } from '../outcome/step';
import { attemptSend } from './attempt';
import { afterItsSettling, releaseWhenSettled } from './release';
import { needsVerification } from '../verify/rule';
import type { Verifier } from '../verify/verifier';
import type { BatchDirectory } from '../batch/directory';

/** Fresh credentials for a replay, asked of an open page (pages/page-registry.ts); null when none can give them. */
export type CredentialsSource = (entry: StoredEntry) => Promise<Record<string, string> | null>;

export interface DispatchParts {
  config: OutboxConfig;
  events: EventHub;
  status: StatusReporter;
  network: NetworkState;
  inFlight: InFlight;
  settler: Settler;
  credentials: CredentialsSource;
  /** Reads a resource before a write whose version is unknown goes to it (verify/). */
  verifier: Verifier;
  /** Learns from each answer whether its server takes batches. */
  batches: BatchDirectory;
  fetch: typeof fetch;
}

/**
 * Sends a lane's head once (the caller holds its lane) and settles what came of it. The one way a
 * write goes on the wire, for replays and for writes whose page waits alike.
 */
export class Dispatcher {
  constructor(private readonly parts: DispatchParts) {}

  /** `liveHeaders`: the page's own headers, for a write whose page waits; null for a replay. */
  async send(entry: StoredEntry, liveHeaders: [string, string][] | null): Promise<Step> {
    const { inFlight } = this.parts;
    // Marked before the first await: from here on, until its outcome is in the log, no new write
    // may be merged into this one.
    inFlight.sending(entry.id);
    return releaseWhenSettled(
      () => this.attemptAndSettle(entry, liveHeaders),
      () => inFlight.settled(entry.id),
      afterItsSettling,
    );
  }

  private async attemptAndSettle(entry: StoredEntry, liveHeaders: [string, string][] | null): Promise<Step> {
    const { config, events, status, network, inFlight, settler, verifier } = this.parts;
    const live = liveHeaders !== null;
    let headers = liveHeaders;
    if (!live && entry.needsCredentials) {
      const fresh = await this.parts.credentials(entry);
      if (fresh === null) return settler.hold(entry, null, 'no open page to supply credentials');
      headers = [...entry.headers, ...Object.entries(fresh)];
    }
    if (needsVerification(entry, config.verify, live)) {
      const verified = await verifier.verify(entry, headers, live);
      if (verified.kind === 'settled') return verified.step;
      entry = verified.entry;
    }
    events.emit(sentEvent(entry));
    const attempt = await inFlight.request(() => {
      status.changed();
      return attemptSend(entry, config, headers, this.parts.fetch);
    });
    status.changed();
    if (attempt.response) {
      network.answered();
      this.parts.batches.learn(entry.url, attempt.response);
    } else network.failed(entry.url);
    status.noteError(attempt.error, attempt.outcome.kind === 'confirmed');
    return settler.settle(entry, attempt, live);
  }
}

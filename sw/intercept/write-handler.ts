import type { OutboxConfig } from '../../protocol';
import type { OutboxLog } from '../log';
import type { EventHub } from '../events/hub';
import type { StatusReporter } from '../events/status';
import { queuedEvent, resolvedEvents } from '../events/kinds';
import type { ReplayGate } from '../lanes/gate';
import type { Scheduler } from '../lanes/scheduler';
import type { LiveSender } from '../lanes/live';
import { captureWrite, rebuilt } from './capture';
import { withRealIds } from './real-ids';
import { queuedResponse, refusedResponse } from './responses';
import { routeFor } from './routes';

/** What a page's write came to: its answer now, and the log work that must finish after it. */
export interface HandledWrite {
  response: Response;
  /** Keep the worker alive until this settles (a confirmed live write is settled after its answer). */
  settled: Promise<void>;
}

export interface WriteParts {
  config: OutboxConfig;
  /** The worker's own origin: routes without one are same-origin paths. */
  origin: string;
  log: OutboxLog;
  events: EventHub;
  status: StatusReporter;
  gate: ReplayGate;
  scheduler: Scheduler;
  live: LiveSender;
}

const nothingLeft = Promise.resolve();

/**
 * A page's write, from the fetch event to its answer: captured, committed to the log, and sent
 * at once when it heads its lane (the page gets the server's answer) or left to replay (the page
 * gets `202 queued`). The send may start while the commit is finishing, never before the write's
 * place in the log is decided; never `202` before the write is durable (docs/architecture.md).
 */
export async function handleWrite(original: Request, parts: WriteParts): Promise<HandledWrite> {
  const { config, log, events, status, gate, scheduler, live } = parts;
  const request = await withRealIds(original, log.learned);
  const route = routeFor(new URL(request.url), config, parts.origin);
  if (!route) return { response: await fetch(request), settled: nothingLeft };
  const captured = await captureWrite(request, config, route, Date.now()).catch(() => null);
  if (!captured) return answered(refusedResponse('unreadable-body', 'sw-outbox could not read this request'));
  if (!captured.ok) return answered(await passThroughOrRefuse(captured.request, captured.reason));
  const { placed, durable } = log.entries.appendEarly({ ...captured.draft, partition: gate.partition });
  // Tabs hear of a write once it is durable, whatever its send has come to by then.
  const committed = durable.then((appended) => {
    events.emit(queuedEvent(appended.entry));
    if (appended.outcome === 'cancelled') events.emit(...[...appended.removed, appended.entry].flatMap((gone) => resolvedEvents(gone, 'cancelled')));
    status.changed();
    return appended;
  }, whyNotStored);
  const early = await placed.catch(whyNotStored);
  if (typeof early === 'string') return answered(await passThroughOrRefuse(rebuilt(request, captured.draft.body), early));
  // Heading its lane, with this worker free to send, the write goes now, while its commit
  // finishes: a definitive answer reaches the page at once; any other waits for the commit.
  if (early.isHead && live.claim(early.entry)) {
    const result = await live.send(early.entry, captured.liveHeaders);
    if (result.kind === 'answered') return { response: result.response, settled: Promise.all([result.settled, committed]).then(() => undefined) };
    const stored = await committed;
    if (typeof stored === 'string') return answered(refusedResponse(stored, `sw-outbox could not queue this request (${stored}), and sending it failed`));
    return answered(queuedResponse(result.entry, config, result.state));
  }
  const stored = await committed;
  if (typeof stored === 'string') return answered(await passThroughOrRefuse(rebuilt(request, captured.draft.body), stored));
  void scheduler.kick();
  return answered(queuedResponse(stored.entry, config, stored.outcome === 'cancelled' ? 'cancelled' : 'queued'));
}

/** Why the log could not store a write: a full origin is not the same fix as a broken log. */
function whyNotStored(error: unknown): 'storage-full' | 'storage-failed' {
  return error instanceof DOMException && error.name === 'QuotaExceededError' ? 'storage-full' : 'storage-failed';
}

function answered(response: Response): HandledWrite {
  return { response, settled: nothingLeft };
}

/**
 * A write the log cannot hold: sent as it is when the network is up, else refused out loud,
 * never dropped silently (docs/protocol.md, What is not queued).
 */
export async function passThroughOrRefuse(request: Request, reason: string): Promise<Response> {
  try {
    return await fetch(request);
  } catch {
    return refusedResponse(reason, `sw-outbox could not queue this request (${reason}), and sending it failed`);
  }
}

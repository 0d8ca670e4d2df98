import type { OutboxConfig } from '../protocol';
import type { OutboxLog } from './log';
import { EventHub } from './events/hub';
import { StatusReporter } from './events/status';
import { ReplayGate } from './lanes/gate';
import { InFlight } from './send/in-flight';
import { NetworkState, browserOffline } from './send/network';
import { Scheduler } from './lanes/scheduler';
import { Dispatcher } from './send/dispatch';
import { LiveSender } from './lanes/live';
import { Settler } from './outcome/settle';
import type { OutcomeContext } from './outcome/context';
import { Verifier } from './verify/verifier';
import { BatchDirectory } from './batch/directory';
import { BatchSender } from './batch/sender';
import { ConflictDesk } from './pages/conflict-desk';
import { PageRegistry, type PageWindows } from './pages/page-registry';
import type { ReadParts } from './reads/route-reads';

/** How long open pages have to answer a request for credentials. */
export const credentialsTimeoutMs = 3_000;

/** What the worker's parts need from the world around them. */
export interface OutboxWorld {
  /** The network (the tests give a scripted server). */
  fetch: typeof fetch;
  /** The open pages of the origin. */
  windows: PageWindows;
  /** Called when the network goes, so the browser's Background Sync fires on reconnect. */
  onNetworkDown: () => void;
}

/** The worker's parts, each made once and handed the others it works with. */
export interface Outbox {
  instance: string;
  config: OutboxConfig;
  log: OutboxLog;
  events: EventHub;
  status: StatusReporter;
  gate: ReplayGate;
  network: NetworkState;
  inFlight: InFlight;
  scheduler: Scheduler;
  live: LiveSender;
  pages: PageRegistry;
  desk: ConflictDesk;
  /** What answering reads on routes works with. */
  reads: ReadParts;
}

/**
 * Wires the worker together over an open log (docs/architecture.md has the picture): every part
 * gets what it works with through its constructor, and no part sets another's fields. The gate
 * starts as the log's meta left it (paused, the active partition).
 */
export async function assembleOutbox(log: OutboxLog, inFlight: InFlight, config: OutboxConfig, world: OutboxWorld): Promise<Outbox> {
  const instance = crypto.randomUUID();
  const events = await EventHub.create(log.history);
  const gate = new ReplayGate((await log.meta.get('paused')) ?? false, (await log.meta.get('partition')) ?? '');
  const network = new NetworkState(world.onNetworkDown, world.fetch);
  // The scheduler is made below; the status reads whether it drains only when asked.
  const status: StatusReporter = new StatusReporter({
    instance,
    events,
    counts: async () => {
      const [pending, dead] = await Promise.all([log.entries.countPending(gate.partition), log.entries.countDead()]);
      return { pending, dead };
    },
    requests: () => inFlight.requests,
    online: () => network.online,
    paused: () => gate.paused,
    draining: () => scheduler.draining,
  });
  const outcomes: OutcomeContext = { entries: log.entries, learned: log.learned, events, status, config };
  const pages = new PageRegistry(world.windows);
  const desk: ConflictDesk = new ConflictDesk(pages, outcomes, gate, () => void scheduler.kick(true));
  const settler = new Settler(outcomes, (entry) => desk.ask(entry));
  // Learned from answers, kept in memory: a worker that restarts asks again (docs/protocol.md, Batch replay).
  const batches = new BatchDirectory(config.batch, globalThis.location?.href ?? 'http://localhost/');
  const verifier = new Verifier({ config, learned: log.learned, network, inFlight, settler, fetch: world.fetch });
  const dispatcher = new Dispatcher({
    config, events, status, network, inFlight, settler, verifier, batches, fetch: world.fetch,
    credentials: (entry) => pages.first((page) => page.credentials({ url: entry.url, method: entry.method }), credentialsTimeoutMs),
  });
  const batchSender = new BatchSender({ config, events, status, network, inFlight, settler, batches, fetch: world.fetch });
  const scheduler: Scheduler = new Scheduler({ config, entries: log.entries, gate, network, inFlight, dispatcher, status, outcomes, batches, batchSender });
  const live = new LiveSender({ entries: log.entries, gate, network, inFlight, dispatcher, scheduler });
  const reads: ReadParts = { config, log, status, partition: () => gate.partition, browserOffline, learnBatchUrl: (url, response) => batches.learn(url, response) };
  return { instance, config, log, events, status, gate, network, inFlight, scheduler, live, pages, desk, reads };
}

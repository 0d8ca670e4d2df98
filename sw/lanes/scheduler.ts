import type { OutboxConfig } from '../../protocol';
import type { EntryStore } from '../log/entries';
import type { StoredEntry } from '../log/entry';
import type { StatusReporter } from '../events/status';
import type { Dispatcher } from '../send/dispatch';
import type { OutcomeContext } from '../outcome/context';
import { deadLetter } from '../outcome/dead-letter';
import type { ReplayGate } from './gate';
import type { InFlight } from '../send/in-flight';
import { browserOffline, type NetworkState } from '../send/network';
import type { BatchDirectory } from '../batch/directory';
import type { BatchSender } from '../batch/sender';
import { goesInBatch, halves, inRunsOf } from '../batch/plan';
import type { Step } from '../outcome/step';

export const dayMs = 24 * 60 * 60 * 1000;
/** How often a worker that the browser says is offline looks again, when no trigger comes first. */
const offlinePollMs = 5_000;

export interface SchedulerParts {
  config: OutboxConfig;
  entries: EntryStore;
  gate: ReplayGate;
  network: NetworkState;
  inFlight: InFlight;
  dispatcher: Dispatcher;
  status: StatusReporter;
  /** For dead-lettering writes that expired. */
  outcomes: OutcomeContext;
  /** Which origins take batches, and the way a batch goes (docs/protocol.md, Batch replay). */
  batches: BatchDirectory;
  batchSender: BatchSender;
}

/** A lane a runner holds, with its head when the last step already read it (null: none; absent: read it). */
interface HeldLane {
  lane: string;
  known?: StoredEntry | null;
}

/** A lane's head ready to go (marked as sending), or how the lane ends for this pass. */
type DueHead = { head: StoredEntry } | { end: LaneEnd };

/** How a lane's run ended: when its head falls due again, and whether it met the network down. */
interface LaneEnd {
  wakeAt: number;
  networkDown: boolean;
}

/**
 * Replay: walks the log's lanes, one write at a time per resource in the order the page issued
 * them, up to `concurrency` resources at once (docs/architecture.md, Lanes). Every trigger goes
 * through `kick`, so there is one drain at a time; its own timer wakes it when a write falls due.
 */
export class Scheduler {
  private running: Promise<void> | null = null;
  private rerun = false;
  private rerunForced = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Confirmations still committing behind lanes that went on (the pipeline): a pass ends after them. */
  private readonly committing = new Set<Promise<unknown>>();

  constructor(private readonly parts: SchedulerParts) {}

  /** A drain is running now. */
  get draining(): boolean {
    return this.running !== null;
  }

  /**
   * Starts a drain, or joins the one running (which then makes one more pass for what this trigger
   * brought). `force` ignores backoff but never a server's Retry-After.
   */
  kick(force = false): Promise<void> {
    if (!this.parts.gate.open) return Promise.resolve();
    if (this.running) {
      this.rerun = true;
      this.rerunForced ||= force;
      return this.running;
    }
    this.clearTimer();
    this.running = this.drain(force).finally(() => {
      this.running = null;
      this.parts.status.changed();
    });
    this.parts.status.changed();
    return this.running;
  }

  /**
   * Stops sending for good (a newer worker takes over) once what is on the wire has settled, so
   * the two never send the same write.
   */
  async retire(): Promise<void> {
    this.parts.gate.allowSending(false);
    this.clearTimer();
    await this.running;
    while (this.parts.inFlight.claimed > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private async drain(force: boolean): Promise<void> {
    let wakeAt = Infinity;
    do {
      this.rerun = false;
      wakeAt = await this.pass(force);
      force = this.rerunForced;
      this.rerunForced = false;
    } while (this.rerun && !this.parts.gate.paused);
    if (this.parts.gate.paused || wakeAt === Infinity) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.kick();
    }, Math.max(0, wakeAt - Date.now()));
  }

  /**
   * One walk over every lane by `concurrency` runners (each holding one lane, or up to
   * `batchSize` when the writes' origin takes batches); returns when the earliest waiting write
   * falls due. Lanes are handed out in turn from a walk of the lane index, so two runners never
   * hold the same lane and the whole queue is never loaded.
   */
  private async pass(force: boolean): Promise<number> {
    const { network, gate, inFlight, entries, config, batches } = this.parts;
    // While the network is down, a cheap probe says when it is back; then the writes that waited
    // only on it go at once, whatever their own backoff (a server's Retry-After and 5xx backoff stay).
    const networkBack = !force && network.down && (await network.probe());
    if (!force && !networkBack && network.down && Date.now() < network.retryAt) return Math.min(network.retryAt, network.nextProbeAt);
    if (browserOffline()) {
      network.wentDown();
      return Date.now() + offlinePollMs;
    }
    let cursor: string | null = null;
    let wakeAt = Infinity;
    let networkDown = false;
    // Up to `count` lanes for one runner, taken in one go (a batched runner fills its batch before
    // the next runner takes any).
    let picking = Promise.resolve<string[]>([]);
    // Once a walk reaches the end of the lane index, this pass takes no more lanes: writes appended
    // meanwhile kick a pass of their own. (WebKit fails to open a cursor on a range past the end.)
    let exhausted = false;
    const nextLanes = (count: number): Promise<string[]> =>
      (picking = picking.then(async () => {
        const lanes: string[] = [];
        while (lanes.length < count && !exhausted && !networkDown && gate.open) {
          const wanted = count - lanes.length;
          const found = await entries.nextLanes(cursor, wanted);
          exhausted = found.length < wanted;
          if (found.length > 0) cursor = found.at(-1)!;
          lanes.push(...found.filter((lane) => inFlight.tryClaim(lane)));
        }
        return lanes;
      }));
    const nextLane = async (): Promise<string | null> => (batchesCame() ? null : ((await nextLanes(1))[0] ?? null));
    const ended = (end: LaneEnd): void => {
      wakeAt = Math.min(wakeAt, end.wakeAt);
      networkDown ||= end.networkDown;
    };
    const batched = batches.active;
    // A server that names its batch URL while this pass sends one write at a time (its first answer
    // does): the pass stops taking writes, and the next one, at once, batches.
    const batchesCame = (): boolean => !batched && batches.active;
    const runner = async (): Promise<void> => {
      // A lane taken is always run, if only to be let go: its claim is released there.
      for (let lane = await nextLane(); lane !== null; lane = await nextLane()) ended(await this.runLane(lane, force, networkBack, batchesCame));
    };
    // Each batched runner holds up to `batchSize` lanes and sends their heads together, round after round.
    const batchRunner = async (): Promise<void> => {
      let held: HeldLane[] = [];
      try {
        for (;;) {
          if (!networkDown) held.push(...(await nextLanes(config.batchSize - held.length)).map((lane) => ({ lane })));
          if (held.length === 0 || networkDown) return;
          const round = await this.batchRound(held, force, networkBack);
          for (const { lane, end } of round.ended) {
            inFlight.release(lane);
            ended(end);
          }
          held = round.going;
        }
      } finally {
        // However the runner ends (the network down, a round that threw), it keeps no lane claimed.
        for (const { lane } of held) inFlight.release(lane);
      }
    };
    await Promise.all(Array.from({ length: config.concurrency }, batched ? batchRunner : runner));
    // The drain is done when the log is: a commit that failed fails the pass, as it always did.
    const committing = [...this.committing];
    this.committing.clear();
    await Promise.all(committing);
    // A server named its batch URL during a pass that sent one write at a time: the next one batches.
    if (!batched && batches.active) this.rerun = true;
    const wake = networkDown ? network.backOff(config.maxBackoffMs) : wakeAt;
    // Writes that wait on the network wait no longer than the next probe.
    return network.down ? Math.min(wake, network.nextProbeAt) : wake;
  }

  /**
   * Sends a claimed lane's writes in order until it is empty, its head must wait or `stop` says so.
   * Releases the lane. `networkBack`: a write whose last failure was the network's is due at once.
   */
  private async runLane(lane: string, force: boolean, networkBack: boolean, stop: () => boolean): Promise<LaneEnd> {
    const { inFlight, dispatcher } = this.parts;
    let known: StoredEntry | null | undefined;
    try {
      for (;;) {
        if (stop()) return { wakeAt: Date.now(), networkDown: false };
        const ready = await this.dueHead(lane, known, force, networkBack);
        if ('end' in ready) return ready.end;
        const step = await dispatcher.send(ready.head, null);
        const next = this.goOn(lane, step);
        if ('end' in next) return next.end;
        ({ lane, known } = next);
      }
    } finally {
      inFlight.release(lane);
    }
  }

  /**
   * The lane's head if it is due now, marked as sending before anything else can run (so no write
   * is coalesced into it from then on); else how the lane ends. A head too old is dead-lettered on
   * the way. `known`: the head as the last step read it (undefined: read it).
   */
  private async dueHead(lane: string, known: StoredEntry | null | undefined, force: boolean, networkBack: boolean): Promise<DueHead> {
    const { gate, entries, config, inFlight } = this.parts;
    let head = known === undefined ? await entries.laneHead(lane) : (known ?? undefined);
    for (;;) {
      // Another user's write is never sent while this one is signed in; it holds its resource's lane.
      if (!head || head.state !== 'queued' || head.partition !== gate.partition || !gate.open) return { end: { wakeAt: Infinity, networkDown: false } };
      const now = Date.now();
      if (head.createdAt + config.maxAgeDays * dayMs < now) {
        await deadLetter(this.parts.outcomes, head, 'expired', null, false);
        head = await entries.laneHead(lane);
        continue;
      }
      const waitedOnNetwork = networkBack && head.lastStatus === null;
      const due = Math.max(head.notBefore, force || waitedOnNetwork ? 0 : head.nextAttemptAt);
      if (due > now) return { end: { wakeAt: due, networkDown: false } };
      inFlight.sending(head.id);
      return { head };
    }
  }

  /** Where a lane goes after a step: on (under its name now: an id remap renames it), or it ends here. */
  private goOn(lane: string, step: Step): HeldLane | { end: LaneEnd } {
    const { inFlight } = this.parts;
    if (step.kind === 'continue' && step.settling) this.awaitAtPassEnd(step.settling);
    if (step.kind !== 'continue') return { end: { wakeAt: Infinity, networkDown: step.kind === 'wait' && step.networkDown } };
    if (step.lane !== lane) {
      // Carry the claim over to the new name before reading it.
      if (!inFlight.tryClaim(step.lane)) return { end: { wakeAt: Infinity, networkDown: false } };
      inFlight.release(lane);
    }
    return { lane: step.lane, known: step.head };
  }

  /** Keeps a commit still running for the pass's end: forgotten once durable, kept (for its error) if it fails. */
  private awaitAtPassEnd(settling: Promise<unknown>): void {
    const tracked: Promise<unknown> = settling.then(() => this.committing.delete(tracked));
    // Handled at the pass's end; until then a failure is not an unhandled rejection.
    tracked.catch(() => undefined);
    this.committing.add(tracked);
  }

  /**
   * One round of batched replay over held lanes: each lane's due head; those that may go in a batch
   * go together, one request per batch URL and `batchSize` writes; the others alone, at the same
   * time. Returns the lanes that go on and how the others ended; the caller releases those.
   */
  private async batchRound(held: HeldLane[], force: boolean, networkBack: boolean): Promise<{ going: HeldLane[]; ended: { lane: string; end: LaneEnd }[] }> {
    const { batches, config } = this.parts;
    const unknown = held.filter(({ known }) => known === undefined).map(({ lane }) => lane);
    const read = new Map((await this.parts.entries.laneHeads(unknown)).map((head, index) => [unknown[index]!, head ?? null]));
    const ready = await Promise.all(held.map(({ lane, known }) => this.dueHead(lane, known === undefined ? read.get(lane)! : known, force, networkBack)));
    const ended: { lane: string; end: LaneEnd }[] = [];
    const alone: Sending[] = [];
    const byUrl = new Map<string, Sending[]>();
    held.forEach(({ lane }, index) => {
      const due = ready[index]!;
      if ('end' in due) return void ended.push({ lane, end: due.end });
      const url = batches.urlFor(due.head.url);
      if (url === null || !goesInBatch(due.head, config)) alone.push({ lane, head: due.head });
      else byUrl.set(url, [...(byUrl.get(url) ?? []), { lane, head: due.head }]);
    });
    const stepped: Stepped[] = [];
    await Promise.all([
      this.sendAlone(alone, stepped),
      ...[...byUrl].flatMap(([url, sending]) => inRunsOf(sending, config.batchSize).map((run) => this.sendBatch(run, url, stepped))),
    ]);
    const going: HeldLane[] = [];
    for (const { lane, step } of stepped) {
      const next = this.goOn(lane, step);
      if ('end' in next) ended.push({ lane, end: next.end });
      else going.push(next);
    }
    return { going, ended };
  }

  /** Sends each write alone, all at once, collecting each lane's step. */
  private async sendAlone(sending: Sending[], stepped: Stepped[]): Promise<void> {
    await Promise.all(sending.map(async ({ lane, head }) => stepped.push({ lane, step: await this.parts.dispatcher.send(head, null) })));
  }

  /** Sends a batch; one refused goes alone, write by write; one over the server's limits goes again in halves. */
  private async sendBatch(run: Sending[], url: string, stepped: Stepped[]): Promise<void> {
    const sent = await this.parts.batchSender.send(run.map(({ head }) => head), url);
    if (sent.kind === 'settled') run.forEach(({ lane }, index) => stepped.push({ lane, step: sent.steps[index]! }));
    else if (sent.kind === 'refused' || run.length === 1) await this.sendAlone(run, stepped);
    else await Promise.all(halves(run).map((half) => this.sendBatch(half, url, stepped)));
  }
}

/** A lane's head on its way. */
interface Sending {
  lane: string;
  head: StoredEntry;
}

/** What became of a lane's head. */
interface Stepped {
  lane: string;
  step: Step;
}

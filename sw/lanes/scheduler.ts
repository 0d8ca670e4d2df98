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
}

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
   * One walk over every lane by `concurrency` runners; returns when the earliest waiting write
   * falls due. Lanes are handed out one at a time from a key cursor, so two runners never read
   * the same position and the whole queue is never loaded.
   */
  private async pass(force: boolean): Promise<number> {
    const { network, gate, inFlight, entries, config } = this.parts;
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
    let picking = Promise.resolve<string | null>(null);
    const nextLane = (): Promise<string | null> =>
      (picking = picking.then(async () => {
        while (!networkDown && gate.open) {
          const lane = await entries.nextLane(cursor);
          if (lane === null) return null;
          cursor = lane;
          if (inFlight.tryClaim(lane)) return lane;
        }
        return null;
      }));
    const runner = async (): Promise<void> => {
      for (let lane = await nextLane(); lane !== null; lane = await nextLane()) {
        const end = await this.runLane(lane, force, networkBack);
        wakeAt = Math.min(wakeAt, end.wakeAt);
        networkDown ||= end.networkDown;
      }
    };
    await Promise.all(Array.from({ length: config.concurrency }, runner));
    const wake = networkDown ? network.backOff(config.maxBackoffMs) : wakeAt;
    // Writes that wait on the network wait no longer than the next probe.
    return network.down ? Math.min(wake, network.nextProbeAt) : wake;
  }

  /**
   * Sends a claimed lane's writes in order until it is empty or its head must wait. Releases the
   * lane. `networkBack`: a write whose last failure was the network's is due at once.
   */
  private async runLane(lane: string, force: boolean, networkBack: boolean): Promise<LaneEnd> {
    const { gate, inFlight, entries, config, dispatcher } = this.parts;
    try {
      let head: StoredEntry | undefined = await entries.laneHead(lane);
      for (;;) {
        // From reading the head to marking it as sending there is no await: no write can be
        // coalesced into it in between. Another user's write is never sent while this one is
        // signed in; it holds its resource's lane.
        if (!head || head.state !== 'queued' || head.partition !== gate.partition || !gate.open) return { wakeAt: Infinity, networkDown: false };
        const now = Date.now();
        if (head.createdAt + config.maxAgeDays * dayMs < now) {
          await deadLetter(this.parts.outcomes, head, 'expired', null, false);
          head = await entries.laneHead(lane);
          continue;
        }
        const waitedOnNetwork = networkBack && head.lastStatus === null;
        const due = Math.max(head.notBefore, force || waitedOnNetwork ? 0 : head.nextAttemptAt);
        if (due > now) return { wakeAt: due, networkDown: false };
        const step = await dispatcher.send(head, null);
        if (step.kind !== 'continue') return { wakeAt: Infinity, networkDown: step.kind === 'wait' && step.networkDown };
        if (step.lane !== lane) {
          // The lane was renamed by an id remap: carry the claim over before reading it.
          if (!inFlight.tryClaim(step.lane)) return { wakeAt: Infinity, networkDown: false };
          inFlight.release(lane);
          lane = step.lane;
        }
        head = step.head === undefined ? await entries.laneHead(lane) : (step.head ?? undefined);
      }
    } finally {
      inFlight.release(lane);
    }
  }
}

import type { OutboxConfig } from './config';
import { jsonBodyOf, type StoredEntry } from './entry';
import type { EventHub } from './events';
import type { IdMapping, OutboxLog } from './log';
import type { ConflictAnswer, OutboxStatus } from './protocol';
import { backoffDelay } from './backoff';
import { decideConflict, lostFields, serverTimeOf } from './conflict';
import { remapUrl, realIdOf } from './resource';
import { attemptSend, readBody, versionOf } from './send';

/** How one send ended for its lane. */
interface Settled {
  /** The server's answer for a live write's page, or null when the page gets `202 queued`. */
  response: Response | null;
  /** The lane to go on with (it changes when a create's temporary id is remapped), or null to stop. */
  nextLane: string | null;
  networkDown: boolean;
  /** For a live write confirmed: the log being settled after the page already has its answer. */
  settling?: Promise<unknown>;
  /** The lane's next write as the log has it now, when settling read it anyway (undefined: read it). */
  next?: StoredEntry | null;
}

export const dayMs = 24 * 60 * 60 * 1000;
/** How often a worker that the browser says is offline looks again, when no trigger comes first. */
const offlinePollMs = 5_000;

/**
 * The browser knows it has no network: nothing is sent, so nothing is half-sent either, and the
 * writes stay unsent (and can still be coalesced). `onLine === true` proves nothing, so it is tried.
 */
function browserOffline(): boolean {
  return globalThis.navigator?.onLine === false;
}

/**
 * Sends the log: one write at a time per resource, in the order the page issued them, and up to
 * `concurrency` resources at once. Every trigger goes through `kick`, one drain at a time.
 */
export class ReplayEngine {
  private readonly busyLanes = new Set<string>();
  /** Writes on the wire now, until their outcome is in the log: never coalesced into. */
  private readonly sending = new Set<string>();
  private running: Promise<void> | null = null;
  private rerun = false;
  private rerunForced = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private networkFailures = 0;
  /** While the network is down, unforced passes wait until then instead of trying each lane. */
  private networkRetryAt = 0;
  private inFlight = 0;
  private lastError: string | null = null;
  private statusTimer: ReturnType<typeof setTimeout> | null = null;
  /** Asks an open page for fresh credentials for a write that had them stripped; null when none can. */
  credentials: (entry: StoredEntry) => Promise<Record<string, string> | null> = async () => null;
  /** Called once when the network goes, so the browser's Background Sync can fire on reconnect. */
  onNetworkDown: () => void = () => {};
  private syncRequested = false;
  paused = false;
  /** The active partition (the signed-in user): only its writes are sent. */
  partition = '';
  /**
   * Whether this worker may send: only one worker of an origin does at a time, even while a new
   * version takes over from an old one (install.ts holds a Web Lock for it).
   */
  canSend = true;
  readonly instance = crypto.randomUUID();

  constructor(
    private readonly log: OutboxLog,
    private readonly events: EventHub,
    private readonly config: OutboxConfig,
    private readonly fetchImpl: typeof fetch = (input, init) => fetch(input, init),
  ) {
    log.isSending = (id) => this.sending.has(id);
  }

  get networkDown(): boolean {
    return this.networkFailures > 0;
  }

  /**
   * Starts a drain, or joins the one running (which then makes one more pass for what this trigger
   * brought). `force` ignores backoff but never a server's Retry-After.
   */
  kick(force = false): Promise<void> {
    if (this.paused || !this.canSend) return Promise.resolve();
    if (this.running) {
      this.rerun = true;
      this.rerunForced ||= force;
      return this.running;
    }
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.running = this.drain(force).finally(() => {
      this.running = null;
      this.statusChanged();
    });
    this.statusChanged();
    return this.running;
  }

  /** Makes another partition active (a sign-in): its writes go, the others wait. */
  async setPartition(partition: string): Promise<void> {
    this.partition = partition;
    await this.log.setMeta('partition', partition);
    this.statusChanged();
    await this.kick(true);
  }

  async setPaused(paused: boolean): Promise<void> {
    this.paused = paused;
    await this.log.setMeta('paused', paused);
    this.statusChanged();
    if (!paused) await this.kick(true);
  }

  /**
   * Stops sending for good (a newer worker takes over) once what is on the wire has settled, so
   * the two never send the same write.
   */
  async retire(): Promise<void> {
    this.canSend = false;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.running;
    while (this.busyLanes.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  /** Claims a resource for one sender; false when another send of it is under way. */
  tryClaim(lane: string): boolean {
    if (this.busyLanes.has(lane) || !this.canSend) return false;
    this.busyLanes.add(lane);
    return true;
  }

  release(lane: string): void {
    this.busyLanes.delete(lane);
  }

  /**
   * Sends a write the page is waiting on (its lane claimed by the caller), following the conflict
   * strategy to a final answer. Null means the page gets `202 queued`. A confirmed answer goes to
   * the page at once; settling the log after it (and releasing the lane) is handed to `keepAlive`.
   */
  async sendLive(entry: StoredEntry, liveHeaders: [string, string][], keepAlive: (work: Promise<unknown>) => void): Promise<Response | null> {
    let lane = entry.resource;
    let settling: Promise<unknown> = Promise.resolve();
    try {
      if (browserOffline()) {
        this.networkWentDown();
        return null;
      }
      for (;;) {
        const settled = await this.sendAndSettle(entry, liveHeaders);
        settling = settled.settling ?? settling;
        if (settled.response || settled.nextLane === null) return settled.response;
        // A client-wins re-send: the same write, now based on the server's version.
        const again = await this.log.laneHead(settled.nextLane);
        if (!again || again.id !== entry.id) return null;
        lane = settled.nextLane;
        entry = again;
      }
    } finally {
      const claimed = lane;
      keepAlive(
        settling.finally(() => {
          this.release(claimed);
          void this.kick();
        }),
      );
    }
  }

  /**
   * A page's answer to a conflict that waits: the write goes again with the page's body (a new
   * request, new key, against the server's version it met), or it is dropped with the later writes
   * made on top of it. False when the write is not waiting on a conflict.
   */
  async resolveConflict(id: string, answer: ConflictAnswer): Promise<boolean> {
    const entry = await this.log.get(id);
    if (!entry || entry.state !== 'conflict') return false;
    if ('discard' in answer) {
      for (const each of idsOf(entry)) this.events.emit({ type: 'resolved', id: each, resource: entry.resource, how: 'discarded' });
      await this.kill(entry, 'discarded', null, null, false);
    } else {
      const body = new TextEncoder().encode(JSON.stringify(answer.body)).buffer as ArrayBuffer;
      await this.log.put({ ...entry, body, state: 'queued', idempotencyKey: crypto.randomUUID(), failures: 0, nextAttemptAt: 0, reason: null, serverState: null });
      for (const each of idsOf(entry)) this.events.emit({ type: 'resolved', id: each, resource: entry.resource, how: 'manual' });
      void this.kick(true);
    }
    this.statusChanged();
    return true;
  }

  async status(): Promise<OutboxStatus> {
    const [pending, dead] = await Promise.all([this.log.countPending(this.partition), this.log.countDead()]);
    return {
      instance: this.instance,
      pending,
      dead,
      inFlight: this.inFlight,
      online: !this.networkDown && !browserOffline(),
      draining: this.running !== null,
      paused: this.paused,
      lastError: this.lastError,
    };
  }

  /** Coalesces bursts of changes into one status broadcast. */
  statusChanged(): void {
    if (this.statusTimer !== null) return;
    this.statusTimer = setTimeout(() => {
      this.statusTimer = null;
      void this.status().then((status) => this.events.broadcastStatus(status));
    }, 150);
  }

  private async drain(force: boolean): Promise<void> {
    let wakeAt = Infinity;
    do {
      this.rerun = false;
      wakeAt = await this.pass(force);
      force = this.rerunForced;
      this.rerunForced = false;
    } while (this.rerun && !this.paused);
    this.scheduleTimer(wakeAt);
  }

  /** One walk over every lane; returns when the earliest waiting write falls due. */
  private async pass(force: boolean): Promise<number> {
    if (!force && this.networkDown && Date.now() < this.networkRetryAt) return this.networkRetryAt;
    if (browserOffline()) {
      this.networkWentDown();
      return Date.now() + offlinePollMs;
    }
    let cursor: string | null = null;
    let wakeAt = Infinity;
    let networkDown = false;
    let picking = Promise.resolve<string | null>(null);
    // Lanes are handed out one at a time, so two runners never read the same cursor position.
    const nextLane = (): Promise<string | null> =>
      (picking = picking.then(async () => {
        while (!networkDown && !this.paused && this.canSend) {
          const lane = await this.log.nextLane(cursor);
          if (lane === null) return null;
          cursor = lane;
          if (this.tryClaim(lane)) return lane;
        }
        return null;
      }));
    const runner = async (): Promise<void> => {
      for (let lane = await nextLane(); lane !== null; lane = await nextLane()) {
        const result = await this.runLane(lane, force);
        wakeAt = Math.min(wakeAt, result.wakeAt);
        networkDown ||= result.networkDown;
      }
    };
    await Promise.all(Array.from({ length: this.config.concurrency }, runner));
    if (!networkDown) return wakeAt;
    this.networkRetryAt = Date.now() + backoffDelay(this.networkFailures, this.config.maxBackoffMs);
    return this.networkRetryAt;
  }

  /** Sends a lane's writes in order until it is empty or its head must wait. Releases the lane. */
  private async runLane(lane: string, force: boolean): Promise<{ wakeAt: number; networkDown: boolean }> {
    try {
      let head = await this.log.laneHead(lane);
      for (;;) {
        // From reading the head to marking it as sending there is no await: no write can be
        // coalesced into it in between.
        // Another user's write is never sent while this one is signed in; it holds its resource's lane.
        if (!head || head.state !== 'queued' || head.partition !== this.partition || this.paused || !this.canSend) {
          return { wakeAt: Infinity, networkDown: false };
        }
        const now = Date.now();
        if (head.createdAt + this.config.maxAgeDays * dayMs < now) {
          await this.kill(head, 'expired', null, null, false);
          head = await this.log.laneHead(lane);
          continue;
        }
        const due = Math.max(head.notBefore, force ? 0 : head.nextAttemptAt);
        if (due > now) return { wakeAt: due, networkDown: false };
        const settled = await this.sendAndSettle(head, null);
        if (settled.nextLane === null) return { wakeAt: Infinity, networkDown: settled.networkDown };
        if (settled.nextLane !== lane) {
          // The lane was renamed by an id remap: carry the claim over before reading it.
          if (!this.tryClaim(settled.nextLane)) return { wakeAt: Infinity, networkDown: false };
          this.release(lane);
          lane = settled.nextLane;
        }
        head = settled.next === undefined ? await this.log.laneHead(lane) : (settled.next ?? undefined);
      }
    } finally {
      this.release(lane);
    }
  }

  private networkWentDown(): void {
    if (this.syncRequested) return;
    this.syncRequested = true;
    this.onNetworkDown();
  }

  private scheduleTimer(wakeAt: number): void {
    if (this.paused || wakeAt === Infinity) return;
    const delay = Math.max(0, wakeAt - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.kick();
    }, delay);
  }

  /** One attempt of a lane's head, then everything its outcome means for the log and the tabs. */
  private async sendAndSettle(entry: StoredEntry, liveHeaders: [string, string][] | null): Promise<Settled> {
    // Marked before the first await: from here on, until its outcome is in the log, no new write
    // may be merged into this one.
    this.sending.add(entry.id);
    let settled: Settled;
    try {
      settled = await this.attemptAndSettle(entry, liveHeaders);
    } catch (error) {
      this.sending.delete(entry.id);
      throw error;
    }
    const settling = (settled.settling ?? Promise.resolve()).finally(() => this.sending.delete(entry.id));
    return { ...settled, settling };
  }

  private async attemptAndSettle(entry: StoredEntry, liveHeaders: [string, string][] | null): Promise<Settled> {
    const live = liveHeaders !== null;
    if (!live && entry.needsCredentials) {
      const fresh = await this.credentials(entry);
      if (fresh === null) return this.hold(entry, null, 'no open page to supply credentials');
      liveHeaders = [...entry.headers, ...Object.entries(fresh)];
    }
    const lane = entry.resource;
    this.inFlight++;
    this.statusChanged();
    this.events.emit({ type: 'sent', id: entry.id, resource: entry.resource, attempt: entry.attempts + 1 });
    const attempt = await attemptSend(entry, this.config, liveHeaders, this.fetchImpl).finally(() => this.inFlight--);
    const { outcome, response } = attempt;
    this.statusChanged();
    if (response === null) this.networkFailures++;
    else this.networkFailures = 0;
    if (response !== null) this.syncRequested = false;
    this.lastError = attempt.error ?? this.lastError;

    if (outcome.kind === 'confirmed' && response) {
      this.lastError = null;
      if (live) return { response, nextLane: null, networkDown: false, settling: this.confirm(entry, response, true) };
      const { lane: nextLane, head } = await this.confirm(entry, response, false);
      return { response: null, nextLane, networkDown: false, next: head ?? null };
    }
    const body = response ? await readBody(response) : null;
    entry.lastStatus = response?.status ?? null;
    entry.lastError = attempt.error;
    entry.lastResponse = body;
    if (response) entry.attempts++;

    switch (outcome.kind) {
      case 'conflict': {
        const serverVersion = response ? versionOf(response, body, this.config) : null;
        const local = jsonBodyOf(entry);
        const action = decideConflict({
          strategy: entry.conflict, method: entry.method, local, base: entry.baseRepresentation, server: body,
          localTime: entry.createdAt, serverTime: serverTimeOf(response?.headers.get('last-modified') ?? null, body),
        });
        await this.log.learnVersion({ resource: entry.resource, version: serverVersion, representation: body, at: Date.now() });
        const dropped = action.kind === 'drop' || (action.kind === 'resend' && entry.attempts >= this.config.maxAttempts);
        const waiting = action.kind === 'wait';
        for (const id of idsOf(entry)) {
          this.events.emit({
            type: 'conflict', id, resource: entry.resource, status: entry.lastStatus ?? 0, strategy: entry.conflict,
            base: entry.baseRepresentation, local, server: body, dropped, lostFields: dropped ? lostFields(local, body) : [],
            waiting, reason: waiting ? action.reason : null, overlapping: waiting ? action.overlapping : [],
          });
        }
        if (action.kind === 'wait') {
          // The lane waits behind this write until a page answers (resolve).
          await this.log.put({ ...entry, state: 'conflict', baseVersion: serverVersion, chained: false, serverState: body, reason: action.reason });
          return { response: null, nextLane: null, networkDown: false };
        }
        if (action.kind === 'resend' && !dropped) {
          // A re-send after a conflict is a new request, with a new key, against the server's version.
          const resent = { ...entry, baseVersion: serverVersion, chained: false, idempotencyKey: crypto.randomUUID() };
          if (action.body !== undefined) resent.body = new TextEncoder().encode(JSON.stringify(action.body)).buffer as ArrayBuffer;
          await this.log.put(resent);
          for (const id of idsOf(entry)) this.events.emit({ type: 'resolved', id, resource: entry.resource, how: action.how });
          return { response: null, nextLane: lane, networkDown: false };
        }
        await this.kill(entry, 'conflict', response, body, live);
        return { response: live ? response : null, nextLane: lane, networkDown: false };
      }
      case 'reject':
        await this.kill(entry, 'rejected', response, body, live);
        return { response: live ? response : null, nextLane: lane, networkDown: false };
      case 'hold':
        return this.hold(entry, entry.lastStatus, `HTTP ${entry.lastStatus}`);
      case 'retry': {
        if (outcome.counts && entry.attempts >= this.config.maxAttempts) {
          await this.kill(entry, 'max-attempts', response, body, false);
          return { response: null, nextLane: lane, networkDown: false };
        }
        const now = Date.now();
        entry.failures++;
        entry.nextAttemptAt = now + backoffDelay(entry.failures, this.config.maxBackoffMs);
        entry.notBefore = outcome.retryAfterMs === null ? 0 : now + outcome.retryAfterMs;
        await this.log.put(entry);
        this.events.emit({
          type: 'retrying', id: entry.id, resource: entry.resource, attempt: entry.attempts,
          nextAttemptAt: Math.max(entry.nextAttemptAt, entry.notBefore), reason: outcome.reason,
        });
        if (response === null) this.networkWentDown();
        return { response: null, nextLane: null, networkDown: response === null };
      }
      default:
        throw new Error(`unreachable outcome ${outcome.kind}`);
    }
  }

  /** A write that waits for a page to supply credentials; its resource's later writes wait with it. */
  private async hold(entry: StoredEntry, status: number | null, reason: string): Promise<Settled> {
    await this.log.put({ ...entry, state: 'held', reason });
    this.events.emit({ type: 'held', id: entry.id, resource: entry.resource, status, reason });
    this.statusChanged();
    return { response: null, nextLane: null, networkDown: false };
  }

  /** A page has fresh credentials: every held write of the active partition goes again. */
  async releaseHeld(): Promise<void> {
    await this.log.releaseHeld(this.partition);
    await this.kick(true);
  }

  private async confirm(entry: StoredEntry, response: Response, live: boolean): Promise<{ lane: string; head: StoredEntry | undefined }> {
    const body = await readBody(response);
    const version = versionOf(response, body, this.config);
    const mapping = entry.tempId ? this.mappingFor(entry, body, response.headers.get('location')) : null;
    const representation = body !== null && typeof body === 'object' ? body : null;
    const settled = await this.log.confirm(entry, { version, representation, mapping });
    for (const id of idsOf(entry)) this.events.emit({ type: 'confirmed', id, resource: entry.resource, status: response.status, body, version, live });
    if (mapping) this.events.emit({ type: 'idmap', ...mapping });
    this.statusChanged();
    return settled;
  }

  private mappingFor(entry: StoredEntry, body: unknown, location: string | null): IdMapping | null {
    const realId = realIdOf(body, location, this.config.idField);
    if (realId === null || !entry.tempId || !entry.tempUrl) return null;
    const realUrl = location ? new URL(location, entry.url).href : remapUrl(entry.tempUrl, entry.tempId, realId);
    return { tempId: entry.tempId, realId, tempUrl: entry.tempUrl, realUrl, at: Date.now() };
  }

  /**
   * A write that will not happen: dead-lettered (kept, visible, retryable), or for a live write
   * whose page already has the server's answer, removed. Later writes of its resource were made
   * on top of it and go with it; each is announced.
   */
  private async kill(entry: StoredEntry, reason: string, response: Response | null, body: unknown, live: boolean): Promise<void> {
    const cascaded = await this.log.kill(entry, reason, true);
    if (live) await this.log.remove(entry.id);
    if (reason !== 'conflict') {
      const lost = lostFields(jsonBodyOf(entry), null);
      for (const id of idsOf(entry)) {
        this.events.emit({ type: 'rejected', id, resource: entry.resource, status: response?.status ?? null, body, reason, live, lostFields: lost });
      }
    }
    this.events.dropped(cascaded, 'cascade');
    this.statusChanged();
  }
}

/** The write's own id and those of the writes merged into it: they share its fate. */
function idsOf(entry: StoredEntry): string[] {
  return [entry.id, ...entry.coalesced];
}

import { backoffDelay } from '../outcome/backoff';

/**
 * The browser knows it has no network: nothing is sent, so nothing is half-sent either, and the
 * writes stay unsent (and can still be coalesced). `onLine === true` proves nothing, so it is tried.
 */
export function browserOffline(): boolean {
  return globalThis.navigator?.onLine === false;
}

/** How often, at most, the worker asks whether the network is back while writes wait on it. */
export const probeIntervalMs = 2_000;
/** A probe that takes longer says the network is not back. */
const probeTimeoutMs = 2_000;

/**
 * What the worker has seen of the network: failures in a row (none once any answer comes), when
 * an unforced pass may try again, and whether the browser was asked for a Background Sync. While
 * it is down, `probe` finds out cheaply when it is back, since some engines (WebKit) never say so
 * (docs/protocol.md, Replay).
 */
export class NetworkState {
  private failures = 0;
  private syncRequested = false;
  private nextTryAt = 0;
  private lastProbeAt = 0;
  /** The root of the origin a send last failed to reach: what a probe asks. */
  private probeUrl: string | null = null;

  /**
   * `onDown` is called once each time the network goes, so Background Sync can fire on reconnect;
   * `fetchImpl` sends the probes.
   */
  constructor(private readonly onDown: () => void = () => undefined, private readonly fetchImpl: typeof fetch = (input, init) => fetch(input, init)) {}

  /** While the network is down, unforced passes wait until then instead of trying each lane. */
  get retryAt(): number {
    return this.nextTryAt;
  }

  get down(): boolean {
    return this.failures > 0;
  }

  get online(): boolean {
    return !this.down && !browserOffline();
  }

  /** A send got an answer (any answer: the network works). */
  answered(): void {
    this.failures = 0;
    this.syncRequested = false;
  }

  /** A send to `url` failed before any answer. */
  failed(url: string): void {
    this.failures++;
    this.probeUrl = new URL('/', url).href;
    this.wentDown();
  }

  /** When the next probe may go (a pass that waits on the network wakes then). */
  get nextProbeAt(): number {
    return this.lastProbeAt + probeIntervalMs;
  }

  /**
   * Asks whether the network is back, at most once per `probeIntervalMs`: a `HEAD` of the root of
   * the origin that failed, which costs a refused connection while the network stays down. True
   * (and the network counted as up) when anything answers.
   */
  async probe(): Promise<boolean> {
    if (!this.down || this.probeUrl === null || Date.now() < this.nextProbeAt) return false;
    this.lastProbeAt = Date.now();
    const sameOrigin = globalThis.location?.origin === new URL(this.probeUrl).origin;
    try {
      await this.fetchImpl(new Request(this.probeUrl, {
        method: 'HEAD', cache: 'no-store', credentials: 'omit', redirect: 'manual',
        mode: sameOrigin ? 'same-origin' : 'no-cors', signal: AbortSignal.timeout(probeTimeoutMs),
      }));
    } catch {
      return false;
    }
    this.answered();
    return true;
  }

  /** The network is down (a failure, or the browser says so): ask for a sync once. */
  wentDown(): void {
    if (this.syncRequested) return;
    this.syncRequested = true;
    this.onDown();
  }

  /** Backs the next unforced pass off after a pass met the network down; returns when it may run. */
  backOff(maxBackoffMs: number): number {
    this.nextTryAt = Date.now() + backoffDelay(this.failures, maxBackoffMs);
    return this.nextTryAt;
  }
}

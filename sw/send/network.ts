import { backoffDelay } from '../outcome/backoff';

/**
 * The browser knows it has no network: nothing is sent, so nothing is half-sent either, and the
 * writes stay unsent (and can still be coalesced). `onLine === true` proves nothing, so it is tried.
 */
export function browserOffline(): boolean {
  return globalThis.navigator?.onLine === false;
}

/**
 * What the worker has seen of the network: failures in a row (none once any answer comes), when
 * an unforced pass may try again, and whether the browser was asked for a Background Sync.
 */
export class NetworkState {
  private failures = 0;
  private syncRequested = false;
  private nextTryAt = 0;

  /** `onDown` is called once each time the network goes, so Background Sync can fire on reconnect. */
  constructor(private readonly onDown: () => void = () => undefined) {}

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

  /** A send failed before any answer. */
  failed(): void {
    this.failures++;
    this.wentDown();
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

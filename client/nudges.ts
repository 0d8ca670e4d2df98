import type { WorkerConnection } from './connection';

/**
 * A stopped worker has no timer of its own: while writes wait, an open tab wakes it, when the
 * browser comes back online, when the tab gets focus, and every few seconds (docs/protocol.md,
 * Replay). `slowStart` is called on each tick while the worker has never answered.
 */
export class Nudges {
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly connection: WorkerConnection,
    private readonly writesWait: () => boolean,
    private readonly neverAnswered: () => boolean,
    private readonly slowStart: () => void,
  ) {}

  start(intervalMs: number): void {
    addEventListener('online', this.onOnline);
    addEventListener('focus', this.onFocus);
    this.timer = setInterval(() => {
      if (this.writesWait() || this.neverAnswered()) this.connection.post({ type: 'outbox:nudge', force: false });
      // A worker slow to start may have missed the first catch-up: try again until it answers.
      if (this.neverAnswered()) this.slowStart();
    }, intervalMs);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    removeEventListener('online', this.onOnline);
    removeEventListener('focus', this.onFocus);
  }

  private readonly onOnline = (): void => {
    this.connection.post({ type: 'outbox:nudge', force: true });
  };

  private readonly onFocus = (): void => {
    this.connection.post({ type: 'outbox:nudge', force: false });
  };
}

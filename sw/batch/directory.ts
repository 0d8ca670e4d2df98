import { batchHeader } from '../../protocol';
import { batchRefusedStatuses, batchUrlFrom } from '../../protocol/batch';

/**
 * Where each origin takes batches (docs/protocol.md, Batch replay): the URL its server names in the
 * `Outbox-Batch` header of its answers (`auto`), or the one the `batch` setting names for its own
 * origin. An origin whose batch URL answers 404, 405 or 501 sends one write at a time until the
 * worker restarts: what it learned is kept in memory only, on purpose.
 */
export class BatchDirectory {
  private readonly urls = new Map<string, string>();
  private readonly refused = new Set<string>();

  /** `setting`: the `batch` setting; `base` resolves a relative URL in it (the worker's own). */
  constructor(private readonly setting: string, base: string) {
    if (setting !== 'auto' && setting !== 'off') {
      const url = new URL(setting, base);
      this.urls.set(url.origin, url.href);
    }
  }

  /** Learns from an answer to a request of `requestUrl`: a batch URL it names, on its own origin. */
  learn(requestUrl: string, response: Pick<Response, 'headers'>): void {
    if (this.setting !== 'auto') return;
    const named = batchUrlFrom(response.headers.get(batchHeader), requestUrl);
    if (named !== null) this.urls.set(new URL(requestUrl).origin, named);
  }

  /** The batch URL writes to `url`'s origin go to, or null: each goes alone. */
  urlFor(url: string): string | null {
    if (this.setting === 'off') return null;
    const origin = new URL(url).origin;
    return this.refused.has(origin) ? null : (this.urls.get(origin) ?? null);
  }

  /** Whether any origin takes batches now: replay then sends its lanes' heads in batches. */
  get active(): boolean {
    return [...this.urls.keys()].some((origin) => !this.refused.has(origin));
  }

  /** Whether a batch URL's answer says that its server does not take batches. */
  static refuses(status: number): boolean {
    return batchRefusedStatuses.includes(status);
  }

  /** The origin's batch URL refused a batch: its writes go alone from now on. */
  refuse(url: string): void {
    this.refused.add(new URL(url).origin);
  }
}

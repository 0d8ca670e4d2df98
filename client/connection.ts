import { proxy, wrap, releaseProxy, type Remote } from 'comlink';
import type { PageApi, PageMessage, WorkerApi } from '../protocol';

/** A worker call that did not answer in time: its port is dead (the worker was stopped) or it hangs. */
export class CallTimeoutError extends Error {
  override name = 'CallTimeoutError';
}

/**
 * The page's line to the worker: a Comlink port over a MessageChannel, both ways. The worker's
 * controls are called on it, and the page's own side (`pageSide`) is handed to the worker on every
 * new line, so the worker can ask this page too. A port to a stopped worker never answers, so
 * every call has a timeout, after which the line is built anew and the call is tried once more
 * (posting to the worker starts it again).
 */
export class WorkerConnection {
  private remote: Remote<WorkerApi> | null = null;
  private port: MessagePort | null = null;

  constructor(
    private readonly container: ServiceWorkerContainer,
    private readonly timeoutMs: number,
    private readonly pageSide: PageApi,
  ) {}

  /** Calls the worker; reconnects once on a timeout. */
  async call<T>(method: (api: Remote<WorkerApi>) => Promise<T>): Promise<T> {
    try {
      return await this.withTimeout(method(this.connect()));
    } catch (error) {
      if (!(error instanceof CallTimeoutError)) throw error;
      this.reset();
      return this.withTimeout(method(this.connect()));
    }
  }

  /** Posts a message outside Comlink; false when no worker controls the page. */
  post(message: PageMessage): boolean {
    const worker = this.container.controller;
    if (!worker) return false;
    worker.postMessage(message);
    return true;
  }

  /** Drops the current port, so the next call builds a new one (after a worker restart or update). */
  reset(): void {
    this.remote?.[releaseProxy]();
    this.port?.close();
    this.remote = null;
    this.port = null;
  }

  private connect(): Remote<WorkerApi> {
    if (this.remote) return this.remote;
    const worker = this.container.controller;
    if (!worker) throw new Error('sw-outbox: no service worker controls this page');
    const channel = new MessageChannel();
    worker.postMessage({ type: 'outbox:connect' } satisfies PageMessage, [channel.port2]);
    this.port = channel.port1;
    this.remote = wrap<WorkerApi>(channel.port1);
    // A dead line is found and rebuilt by the next call's timeout; this one need not wait.
    void this.remote.connectPage(proxy(this.pageSide)).catch(() => undefined);
    return this.remote;
  }

  private withTimeout<T>(promise: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CallTimeoutError(`sw-outbox: the worker did not answer in ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}

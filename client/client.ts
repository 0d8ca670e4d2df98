import type { Workbox } from 'workbox-window';
import { proxy } from 'comlink';
import { eventChannelName, keepLimit } from '../protocol';
import type { ConflictAnswer, EntrySummary, OutboxEvent, OutboxEventType, OutboxSettings, OutboxStatus } from '../protocol';
import { WorkerConnection } from './connection';
import { OptimisticTracker, type OptimisticChange } from './optimistic-tracker';

export type { OptimisticChange } from './optimistic-tracker';
import { PageSide, type ConflictHandler, type CredentialsProvider } from './page-side';
import { Nudges } from './nudges';
import { Watches, type WatchListener } from './watch';
import { controlled, registerWorker } from './register';
import { Subscribable } from './subscribable';

export interface ConnectOptions {
  /** The worker script. Default `/outbox-sw.js` (the drop-in worker). */
  sw?: string;
  /** Settings for the drop-in worker; an app's own worker takes them in `installOutbox`. */
  config?: Partial<OutboxSettings>;
  /** Register the worker (default). False when the app registers its own worker. */
  register?: boolean;
  scope?: string;
  /** How long a call to the worker may take before the client reconnects. Default 4000. */
  callTimeoutMs?: number;
  /** How often an open tab nudges the worker while writes are pending. Default 3000. */
  nudgeIntervalMs?: number;
}


type EventListener = (event: OutboxEvent) => void;
type EventOf<T extends OutboxEventType> = Extract<OutboxEvent, { type: T }>;

const unknownStatus: OutboxStatus = {
  instance: '', pending: 0, inFlight: 0, dead: 0, online: true, draining: false, paused: false, lastError: null, servedOffline: false,
};

/**
 * The page side of sw-outbox: events from the worker, a status store any framework can subscribe
 * to, optimistic changes rolled back when the server says no, and the app's controls.
 */
export class OutboxClient extends Subscribable<EventListener> {
  /** Resolves once a worker controls the page and the client has caught up with its history. */
  readonly ready: Promise<this>;
  private readonly connection: WorkerConnection;
  private readonly optimistic = new OptimisticTracker();
  private readonly pageSide = new PageSide();
  private readonly statusListeners = new Set<(status: OutboxStatus) => void>();
  private readonly channel = new BroadcastChannel(eventChannelName);
  private currentStatus: OutboxStatus = unknownStatus;
  private lastSeq = 0;
  private readonly nudges: Nudges;
  private readonly watches = new Watches(location.href);
  /** Whether a worker controlled this page from its start (else it missed what the page loaded). */
  private readonly controlledAtLoad = navigator.serviceWorker.controller !== null;
  private workbox: Workbox | null = null;

  constructor(private readonly options: ConnectOptions = {}) {
    super();
    this.connection = new WorkerConnection(navigator.serviceWorker, options.callTimeoutMs ?? 4000, this.pageSide);
    const neverAnswered = (): boolean => this.currentStatus.instance === '';
    this.nudges = new Nudges(this.connection, () => this.currentStatus.pending > 0, neverAnswered, () => void this.resync().catch(() => undefined));
    // Events are a broadcast (they reach this tab even while its Comlink line is being re-made).
    this.channel.onmessage = (message: MessageEvent<OutboxEvent>) => this.receive(message.data);
    this.ready = this.start();
  }

  get status(): OutboxStatus {
    return this.currentStatus;
  }

  /** Subscribes to the status store; the listener gets the current status at once. */
  subscribeStatus(listener: (status: OutboxStatus) => void): () => void {
    this.statusListeners.add(listener);
    listener(this.currentStatus);
    return () => this.statusListeners.delete(listener);
  }

  /** Listens to one kind of event. */
  on<T extends OutboxEventType>(type: T, listener: (event: EventOf<T>) => void): () => void {
    return this.subscribe((event) => {
      if (event.type === type) listener(event as EventOf<T>);
    });
  }

  /**
   * `fetch`, with an optimistic change bound to the write: applied now, kept when the server
   * confirms, undone (with every later change of the same resource) when it refuses.
   */
  fetch(input: RequestInfo | URL, init?: RequestInit, change: OptimisticChange = {}): Promise<Response> {
    return this.optimistic.fetch(input, init, change);
  }

  /** Registers the undo of an optimistic change against a queued write (`Outbox-Id`). */
  track(id: string, resource: string, undo: () => void): void {
    this.optimistic.track(id, resource, undo);
  }

  /**
   * Supplies credentials to replays: the worker never stores `Authorization`, so a write that had
   * it is sent again only with what this provider gives (the worker asks over Comlink). Setting
   * one releases held writes.
   */
  provideCredentials(provider: CredentialsProvider | null): void {
    this.pageSide.provideCredentials(provider);
    if (provider) this.credentialsChanged();
  }

  /**
   * Answers conflicts that wait for a person (`manual`, or a `merge` that cannot merge): the worker
   * asks this page with base, local and server, and the first page to answer wins. Writes already
   * waiting are asked about at once. Null stops answering (the `conflict` event still comes).
   */
  handleConflicts(handler: ConflictHandler | null): void {
    this.pageSide.handleConflicts(handler);
    if (handler) void this.connection.call((api) => api.connectPage(proxy(this.pageSide))).catch(() => undefined);
    // Status listeners hear it: the drop-in's UI steps aside for an app that answers conflicts itself.
    this.setStatus(this.currentStatus);
  }

  /** Whether this page answers conflicts itself (`handleConflicts` was given a handler). */
  get answersConflicts(): boolean {
    return this.pageSide.answersConflicts;
  }

  /** The provider has new credentials (after a sign-in or a refresh): held writes go again. */
  credentialsChanged(): void {
    this.connection.post({ type: 'outbox:credentials-changed' });
  }

  /**
   * Watches one resource or a path pattern (`/api/todos/*`, `*` one segment): the listener hears
   * what is pending for it now, and each write queued, confirmed (with the server's
   * representation), rolled back or in conflict, so a view re-renders just what changed.
   * Returns the function that stops watching.
   */
  watch(pattern: string, listener: WatchListener): () => void {
    return this.watches.add(pattern, listener);
  }

  list(): Promise<EntrySummary[]> {
    return this.connection.call((api) => api.list());
  }

  history(afterSeq = 0): Promise<OutboxEvent[]> {
    return this.connection.call((api) => api.history(afterSeq));
  }

  async refreshStatus(): Promise<OutboxStatus> {
    const status = await this.connection.call((api) => api.status());
    this.setStatus(status);
    return status;
  }

  replay(): Promise<void> {
    return this.connection.call((api) => api.replay());
  }

  retry(id: string): Promise<boolean> {
    return this.connection.call((api) => api.retry(id));
  }

  /** Answers a conflict that waits (`conflict` event with `waiting`): send this body instead, or `{ discard: true }`. */
  resolve(id: string, answer: ConflictAnswer): Promise<boolean> {
    return this.connection.call((api) => api.resolve(id, answer));
  }

  discard(id: string): Promise<boolean> {
    return this.connection.call((api) => api.discard(id));
  }

  pause(): Promise<void> {
    return this.connection.call((api) => api.pause());
  }

  resume(): Promise<void> {
    return this.connection.call((api) => api.resume());
  }

  /** Makes a partition active (on sign-in, the user's key): only its writes are sent, listed and counted. */
  setPartition(partition: string): Promise<void> {
    return this.connection.call((api) => api.setPartition(partition));
  }

  /** Removes every write of a partition (default: the active one), as on sign-out; each is announced as `rejected`, reason `cleared`. */
  clear(partition?: string): Promise<void> {
    return this.connection.call((api) => api.clear(partition));
  }

  /** Stops listening and nudging. */
  close(): void {
    this.channel.close();
    this.nudges.stop();
    this.connection.reset();
  }

  private async start(): Promise<this> {
    if (this.options.register !== false) {
      this.workbox = await registerWorker(this.options.sw ?? '/outbox-sw.js', this.options.config ?? null, this.options.scope);
    } else {
      await controlled();
    }
    // The worker did not see what this page loaded before it controlled the page: it keeps it now
    // (once the page has loaded, so its first reads are among what it loaded).
    if (!this.controlledAtLoad) void pageLoaded().then(() => this.connection.post({ type: 'outbox:keep', urls: loadedUrls() }));
    navigator.serviceWorker.addEventListener('controllerchange', () => void this.resync().catch(() => undefined));
    this.nudges.start(this.options.nudgeIntervalMs ?? 3000);
    await this.resync().catch((error: unknown) => console.warn('sw-outbox: the worker did not answer yet; the client keeps trying', error));
    return this;
  }

  /** Reconnects and reads what was missed while this tab was away or the worker was down. */
  private async resync(): Promise<void> {
    this.connection.reset();
    const missed = await this.connection.call((api) => api.history(this.lastSeq));
    for (const event of missed) this.receive(event);
    this.watches.reset(await this.list());
    await this.refreshStatus();
  }

  private receive(event: OutboxEvent): void {
    if (event.type === 'status') {
      const restarted = this.currentStatus.instance !== '' && event.status.instance !== this.currentStatus.instance;
      this.setStatus(event.status);
      if (restarted) void this.resync().catch(() => undefined);
      return;
    }
    if (event.seq <= this.lastSeq) return;
    this.lastSeq = event.seq;
    this.optimistic.apply(event);
    this.watches.follow(event);
    for (const listener of this.listeners) listener(event);
  }


  private setStatus(status: OutboxStatus): void {
    this.currentStatus = status;
    for (const listener of this.statusListeners) listener(status);
  }
}

/** What this page loaded, same-origin: the page itself and each resource it fetched. */
function loadedUrls(): string[] {
  const names = [location.href, ...performance.getEntriesByType('resource').map((entry) => entry.name)];
  return [...new Set(names.filter((name) => new URL(name).origin === location.origin))].slice(0, keepLimit);
}

/** Resolves once the page has loaded (at once if it has). */
function pageLoaded(): Promise<void> {
  if (document.readyState === 'complete') return Promise.resolve();
  return new Promise((resolve) => addEventListener('load', () => resolve(), { once: true }));
}

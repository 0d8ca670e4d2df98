/// <reference lib="webworker" />
import { senderLockName, workerChannelName } from '../../protocol';
import type { EventHub } from '../events/hub';
import { activatedEvent } from '../events/kinds';
import type { ReplayGate } from '../lanes/gate';
import type { Scheduler } from '../lanes/scheduler';
import { logVersion } from '../log/migrations';
import { loadMemoryIndex, type OutboxLog } from '../log';

declare const self: ServiceWorkerGlobalScope;

/** A worker's lifecycle as the outbox sees it: which instance it is, and how it sends. */
export interface LifecycleParts {
  instance: string;
  events: EventHub;
  gate: ReplayGate;
  scheduler: Scheduler;
  log: OutboxLog;
}

/** Skip waiting and claim open pages at once (the drop-in worker does; an app's own worker decides). */
export function takeControlAtOnce(): void {
  self.addEventListener('install', () => void self.skipWaiting());
  self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
}

/**
 * On activation, tells older workers of the origin to stop sending and the tabs that a new version
 * took over. Fetches wait for activation: while an old tab blocks the log's upgrade, activation
 * must not wait for the log too, or every page of the origin hangs, so it waits for `ready` or
 * `blocked`, whichever comes first; the announcement follows later.
 */
export function announceActivation(ready: Promise<LifecycleParts>, blocked: Promise<void>): void {
  self.addEventListener('activate', (event) => {
    const announced = ready.then(({ instance, events }) => {
      new BroadcastChannel(workerChannelName).postMessage({ type: 'retire', instance });
      events.emit(activatedEvent(instance, logVersion));
    });
    event.waitUntil(Promise.race([announced, blocked]));
  });
}

/**
 * One sender at a time: this worker sends only while it holds the Web Lock, which an older
 * version gives up when a newer one activates (and the browser frees when it stops a worker).
 * Worker start is a replay trigger: whatever was left when the browser stopped it goes out now.
 */
export async function sendWhileHoldingTheLock({ instance, gate, scheduler, log }: LifecycleParts): Promise<void> {
  if (!self.navigator.locks) return void (await scheduler.kick(true));
  gate.allowSending(false);
  const retired = new Promise<void>((resolve) => {
    new BroadcastChannel(workerChannelName).onmessage = (message: MessageEvent<{ type: string; instance: string }>) => {
      if (message.data.type === 'retire' && message.data.instance !== instance) resolve();
    };
  });
  await self.navigator.locks.request(senderLockName, async () => {
    // The older worker may have appended since this one loaded its index (docs/architecture.md).
    await loadMemoryIndex(log).catch(() => undefined);
    gate.allowSending(true);
    void scheduler.kick(true);
    await retired;
    await scheduler.retire();
  });
}

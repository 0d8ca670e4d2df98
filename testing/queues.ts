// What a worker holds: sw-outbox's log, or a Workbox Background Sync queue, read from IndexedDB
// (docs/architecture.md describes the log's stores). Waiting for the log to drain is polling it.
import type { Page } from '@playwright/test';
import type { EntryState } from '../protocol';
import { readDatabase } from './database';

/** A write sw-outbox holds, as a test needs it. */
export interface QueuedWrite {
  id: string;
  method: string;
  url: string;
  /** `queued` (to be sent, or on the wire now), `held` (waits for credentials), `conflict`, `dead`. */
  state: EntryState;
  /** Answers the server gave it so far (network failures do not count). */
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  /** The request body as text, or null. */
  body: string | null;
  /** The signed-in user's partition it belongs to ('' by default). */
  partition: string;
}

/** A request a Workbox Background Sync queue holds. */
export interface WorkboxQueuedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
  /** When it was queued (ms since the epoch). */
  timestamp: number;
}

export interface LogOptions {
  /** The log's database, if the app's worker passed `databaseName` to `installOutbox`. */
  database?: string;
}

/** The log's entry fields the kit reads; the rest is the worker's business. */
type StoredEntry = Omit<QueuedWrite, 'partition'> & {
  /** Absent in logs from before partitions. */
  partition?: string;
  /** Present while the write is still to be sent; gone once it is dead. */
  lane?: string;
};

interface Log {
  writes: (QueuedWrite & { live: boolean })[];
  /** The active partition: only its writes are sent. */
  partition: string;
}

async function readLog(page: Page, options: LogOptions): Promise<Log> {
  const stores = await readDatabase(page, options.database ?? 'sw-outbox', ['entries', 'meta']);
  if (!stores) return { writes: [], partition: '' };
  const partition = stores.meta!.find((record) => record.key === 'partition')?.value;
  const writes = stores.entries!.map(({ value }) => {
    const entry = value as StoredEntry;
    const { id, method, url, state, attempts, lastStatus, lastError, body } = entry;
    return { id, method, url, state, attempts, lastStatus, lastError, body, partition: entry.partition ?? '', live: entry.lane !== undefined };
  });
  return { writes, partition: typeof partition === 'string' ? partition : '' };
}

/** Every write in sw-outbox's log, oldest first: the ones still to be sent and the dead ones. */
export async function readQueue(page: Page, options: LogOptions = {}): Promise<QueuedWrite[]> {
  return (await readLog(page, options)).writes.map(({ live: _live, ...write }) => write);
}

/** One line per write, for a failure message. */
export function describeWrites(writes: QueuedWrite[]): string {
  return writes
    .map((write) => `  ${write.method} ${write.url}: ${write.state}, ${write.attempts} attempt(s), last status ${write.lastStatus ?? 'none'}${write.lastError ? ` (${write.lastError})` : ''}`)
    .join('\n');
}

export interface DrainOptions extends LogOptions {
  /** Milliseconds to wait; 30 s by default. */
  timeout?: number;
}

/**
 * Resolves once sw-outbox has nothing left to send for the active partition: every write was
 * answered (sent and settled, or dead). Fails after `timeout` listing what is still queued.
 * It only watches: a stopped worker is not woken by it.
 */
export async function waitForDrain(page: Page, options: DrainOptions = {}): Promise<void> {
  const timeout = options.timeout ?? 30_000;
  const deadline = Date.now() + timeout;
  for (;;) {
    const { writes, partition } = await readLog(page, options);
    const waiting = writes.filter((write) => write.live && write.partition === partition);
    if (waiting.length === 0) return;
    if (Date.now() >= deadline) {
      throw new Error(`sw-outbox/testing: the outbox did not drain within ${timeout} ms; ${waiting.length} write(s) still queued:\n${describeWrites(waiting)}`);
    }
    await page.waitForTimeout(100);
  }
}

/** The requests a Workbox Background Sync queue (`new BackgroundSyncPlugin(name)`) holds, oldest first. */
export async function readWorkboxQueue(page: Page, queueName: string): Promise<WorkboxQueuedRequest[]> {
  const stores = await readDatabase(page, 'workbox-background-sync', ['requests']);
  if (!stores) return [];
  type Stored = { queueName: string; timestamp: number; requestData: { method?: string; url: string; headers?: Record<string, string>; body?: string } };
  return stores
    .requests!.map(({ value }) => value as Stored)
    .filter((stored) => stored.queueName === queueName)
    .map(({ timestamp, requestData }) => ({
      method: requestData.method ?? 'GET',
      url: requestData.url,
      headers: requestData.headers ?? {},
      body: requestData.body ?? null,
      timestamp,
    }));
}

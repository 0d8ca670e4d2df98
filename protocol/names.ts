/**
 * The names both sides agree on: headers, channels, the sender lock, and the few messages pages
 * post to the worker outside Comlink. docs/protocol.md lists each with what it means.
 */

/** Headers the worker answers a page with (and the one a page may send it). */
export const outboxHeaders = {
  status: 'Outbox-Status',
  id: 'Outbox-Id',
  resource: 'Outbox-Resource',
  error: 'Outbox-Error',
  /** On a page's request: the representation (JSON) the change was made from, for merges. Never sent on. */
  base: 'Outbox-Base',
  /** On a read: how many of the user's pending writes were laid over the answer. */
  overlaid: 'Outbox-Overlaid',
} as const;

/**
 * Batch replay (docs/protocol.md, Batch replay): a server that answers batches names its batch URL
 * in `Outbox-Batch: </path>` on its answers and on `OPTIONS`; a batch and its answer are JSON of
 * this media type.
 */
export const batchHeader = 'Outbox-Batch';
export const batchContentType = 'application/vnd.sw-outbox.batch+json';

/**
 * The BroadcastChannel events go out on. Telling every tab what happened is a broadcast, not a
 * Comlink call: it reaches a tab whose Comlink port is still being re-made after a worker restart.
 */
export const eventChannelName = 'sw-outbox';
/** Between workers of one origin: a newly activated one tells the others to stop sending. */
export const workerChannelName = 'sw-outbox:workers';
/** The Web Lock only the sending worker holds. */
export const senderLockName = 'sw-outbox:sender';

/**
 * Messages pages post to the worker outside Comlink: they work even when a port is dead, and
 * posting one starts a stopped worker. `outbox:connect` carries the port Comlink then runs on.
 */
export type PageMessage =
  | { type: 'outbox:connect' }
  | { type: 'outbox:nudge'; force: boolean }
  /** A page can supply fresh credentials now: held writes go again. */
  | { type: 'outbox:credentials-changed' }
  /** What the page loaded (perhaps before the worker controlled it): the worker keeps what it would have kept. */
  | { type: 'outbox:keep'; urls: string[] };

/** At most this many URLs in one `outbox:keep`. */
export const keepLimit = 500;

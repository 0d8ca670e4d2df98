import type { FetchHandler } from './core';

// A kit handler answers in one of two ways. For anyone: a Response it builds from bytes it holds (a
// recorded or replayed answer) carries them as a body stream, and notes them (known-body.ts), with
// every header the kit adds. For a caller that sends noted bytes and shows the Response to nobody
// else (the Node adapters serving the handler `exactlyOnce` made): the bytes are only noted, and the
// Response's body is not to be read (it has none, or it is the app's own Response, already read for
// them); the headers every answer carries (the batch URL's) are the caller's to add as it writes
// them, not set on each Response. On Node 20 a web stream is the dearest part of a Response (about
// 15 µs to make), and setting a header on a Response costs what writing it does many times over.

/** A handler's bytes-only twin, and the headers its caller adds to each of its answers. */
export interface BytesOnly {
  handler: FetchHandler;
  headers: ReadonlyArray<readonly [name: string, value: string]>;
}

const byBytes = new WeakMap<FetchHandler, BytesOnly>();
const NO_HEADERS: BytesOnly['headers'] = [];

// `handler`, remembered as answering like `bytesOnly` does but with body streams and `headers`.
export function pairWithBytesOnly(handler: FetchHandler, bytesOnly: FetchHandler, headers = NO_HEADERS): FetchHandler {
  byBytes.set(handler, { handler: bytesOnly, headers });
  return handler;
}

// What a caller that sends noted bytes (and hands answers to nobody else) should call for
// `handler`: its bytes-only twin when it has one, else `handler` itself (with no headers to add).
export function bytesOnlyOf(handler: FetchHandler): BytesOnly {
  return byBytes.get(handler) ?? { handler, headers: NO_HEADERS };
}

import type { FetchHandler } from './core';

// A kit handler answers in one of two ways. For anyone: a Response it builds from bytes it holds (a
// recorded or replayed answer) carries them as a body stream, and notes them (known-body.ts). For a
// caller that sends noted bytes and shows the Response to nobody else (the Node adapter serving the
// handler `exactlyOnce` made): the bytes are only noted, and the Response's body is not to be read
// (it has none, or it is the app's own Response, already read for them). On Node 20 a web stream is
// the dearest part of a Response (about 15 µs to make), and that caller never reads it.

const byBytes = new WeakMap<FetchHandler, FetchHandler>();

// `handler`, remembered as answering like `bytesOnly` does but with body streams.
export function pairWithBytesOnly(handler: FetchHandler, bytesOnly: FetchHandler): FetchHandler {
  byBytes.set(handler, bytesOnly);
  return handler;
}

// What a caller that sends noted bytes (and hands answers to nobody else) should call for
// `handler`: its bytes-only twin when it has one, else `handler` itself.
export function bytesOnlyOf(handler: FetchHandler): FetchHandler {
  return byBytes.get(handler) ?? handler;
}

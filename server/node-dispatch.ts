import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { FetchHandler } from './core';
import { holdAnswer } from './held-answer';
import { sendResponse } from './node';

/** A node:http-style app that takes a request it may not handle, as Express's `app.handle` does. */
export type NodeApp = (req: IncomingMessage, res: ServerResponse, unhandled: (error?: unknown) => void) => void;

/**
 * A Fetch handler that sends each request through `app` as if it had come in on the connection of
 * `origin` (its remote address, TLS), and answers with what the app answers: how a batch's writes
 * go through the app's own middleware and routes. A request the app leaves unhandled is `404`; one
 * it fails is `500`.
 */
export function dispatchThrough(app: NodeApp, origin: IncomingMessage): FetchHandler {
  return async (request) => {
    const req = incomingOf(request, new Uint8Array(await request.arrayBuffer()), origin);
    const res = new ServerResponse(req);
    const held = holdAnswer(res);
    app(req, res, (error) => {
      if (error !== undefined) console.error('sw-outbox/server: a write of a batch failed:', error);
      const status = error === undefined ? 404 : 500;
      void sendResponse(res, Response.json({ type: 'about:blank', status, title: status === 404 ? 'Not Found' : 'Internal Server Error' }, { status, headers: { 'Content-Type': 'application/problem+json' } }));
    });
    return held.finished;
  };
}

/**
 * The node:http request of a Fetch one whose body is `body`: its socket is a detached one that
 * carries the origin's address and TLS, so nothing the app attaches to it reaches the real connection.
 */
function incomingOf(request: Request, body: Uint8Array, origin: IncomingMessage): IncomingMessage {
  const socket = new Socket();
  const real = origin.socket as Socket & { encrypted?: boolean };
  Object.defineProperties(socket, {
    remoteAddress: { value: real.remoteAddress },
    remotePort: { value: real.remotePort },
    remoteFamily: { value: real.remoteFamily },
    encrypted: { value: real.encrypted },
  });
  const req = new IncomingMessage(socket);
  const url = new URL(request.url);
  req.method = request.method;
  req.url = url.pathname + url.search;
  req.httpVersion = '1.1';
  req.httpVersionMajor = 1;
  req.httpVersionMinor = 1;
  request.headers.forEach((value, name) => {
    req.headers[name] = value;
    req.rawHeaders.push(name, value);
  });
  req.headers['content-length'] = String(body.length);
  req.rawHeaders.push('content-length', String(body.length));
  if (body.length > 0) req.push(Buffer.from(body.buffer, body.byteOffset, body.length));
  req.push(null);
  // What node:http sets once the whole message has arrived (the kit's body reader waits for it).
  req.complete = true;
  return req;
}

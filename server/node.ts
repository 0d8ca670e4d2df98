import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { FetchHandler } from './core';
import { bytesOnlyOf } from './byte-answers';
import { knownBody, withKnownBody } from './known-body';

export interface NodeAdapterOptions {
  /** Bodies above this are answered 413 without calling the handler; default 1 MiB. */
  maxBodyBytes?: number;
}

/** The largest body the Node adapters read unless told otherwise: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Thrown by `readNodeBody` when a body is over its limit. */
export class BodyTooLargeError extends Error {
  constructor(limitBytes: number) {
    super(`request body over ${limitBytes} bytes`);
  }
}

/** Reads a Node request's body, refusing it once it grows past `limitBytes`. */
export async function readNodeBody(req: IncomingMessage, limitBytes = DEFAULT_MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw new BodyTooLargeError(limitBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The Fetch `Request` for a Node request whose body was read; `url` is its path (default `req.url`). */
export function toRequest(req: IncomingMessage, body: Uint8Array | undefined, url = req.url ?? '/'): Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] ?? '';
    // HTTP/2 pseudo-headers (`:path`) are not headers a Request can carry.
    if (!name.startsWith(':')) headers.append(name, req.rawHeaders[i + 1] ?? '');
  }
  const method = req.method ?? 'GET';
  const bodyless = method === 'GET' || method === 'HEAD';
  if (bodyless || body === undefined) return new Request(new URL(url, originOf(req)), { method, headers });
  return withKnownBody(new Request(new URL(url, originOf(req)), { method, headers, body: body as Uint8Array<ArrayBuffer> }), body);
}

function originOf(req: IncomingMessage): string {
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
  const origin = `${encrypted ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`;
  return URL.canParse(origin) ? origin : 'http://localhost';
}

/**
 * Writes a Fetch `Response` to a Node response, streaming its body. `added` are headers (names in
 * lower case) written with the response's own, in place of any of the same name.
 */
export async function sendResponse(res: ServerResponse, response: Response, added: ReadonlyArray<readonly [name: string, value: string]> = []): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  for (const [name, value] of added) headers[name] = value;
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  // A body the kit built from bytes it holds goes out as those bytes, without a stream to read, and
  // with their length: no chunked framing to write and for the client to undo.
  // (A Transfer-Encoding the app's answer carried, as one fetched from elsewhere may, would contradict it.)
  const bytes = knownBody(response);
  if (bytes !== undefined) {
    delete headers['transfer-encoding'];
    headers['content-length'] = String(bytes.byteLength);
  }
  res.writeHead(response.status, headers);
  if (bytes !== undefined) {
    res.end(bytes);
    return;
  }
  if (response.body !== null) {
    const reader = response.body.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) res.write(chunk.value);
  }
  res.end();
}

/**
 * A node:http listener that serves a Fetch handler (such as one made by `exactlyOnce`):
 * `createServer(nodeHandler(handler))`. A failing handler is answered 500.
 */
export function nodeHandler(handler: FetchHandler, options: NodeAdapterOptions = {}): RequestListener {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  // Its answers go nowhere but `sendResponse`, which sends noted bytes as they are.
  const { handler: serve, headers } = bytesOnlyOf(handler);
  return (req, res) => {
    void (async () => {
      try {
        const body = await readNodeBody(req, limit);
        await sendResponse(res, await serve(toRequest(req, body)), headers);
      } catch (error) {
        failed(res, error);
      }
    })();
  };
}

/** Answers a request whose handling threw (413 for a body over the limit), or drops a half-sent one. */
export function failed(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const tooLarge = error instanceof BodyTooLargeError;
  if (!tooLarge) console.error('sw-outbox/server: handler failed:', error);
  res.writeHead(tooLarge ? 413 : 500, { 'Content-Type': 'application/problem+json', ...(tooLarge ? { Connection: 'close' } : {}) });
  res.end(JSON.stringify({ type: 'about:blank', title: tooLarge ? 'Content Too Large' : 'Internal Server Error', status: tooLarge ? 413 : 500 }));
}

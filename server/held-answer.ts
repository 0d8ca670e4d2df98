import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** Statuses whose responses cannot carry a body. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** What a route wrote to a Node response, held back from the wire. */
export interface HeldAnswer {
  /** The route's answer once it has ended it (`res.end`, which `res.json`/`res.send` call), else undefined. */
  ended(): Response | undefined;
  /** Settles with the route's answer when it ends it. */
  readonly finished: Promise<Response>;
  /** Puts the response's own methods back, so the kit can write the answer it settles on. */
  release(): void;
}

/**
 * Holds back what is written to `res` (status, headers, body) until the kit has recorded it: the
 * route's `writeHead`, `write` and `end` are caught, and the answer is a Fetch Response. Headers set
 * with `setHeader` stay on `res`, where they already are.
 */
export function holdAnswer(res: ServerResponse): HeldAnswer {
  const original = { writeHead: res.writeHead, write: res.write, end: res.end };
  const chunks: Buffer[] = [];
  let answer: Response | undefined;
  let settle: (response: Response) => void = () => undefined;
  const finished = new Promise<Response>((resolve) => (settle = resolve));
  const keep = (chunk: unknown, encoding: unknown): void => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8') : Buffer.from(chunk as Uint8Array));
  };
  const callbackOf = (...args: unknown[]): (() => void) | undefined => args.find((arg): arg is () => void => typeof arg === 'function');

  res.writeHead = function writeHead(status: number, ...rest: unknown[]) {
    res.statusCode = status;
    const headers = rest.find((arg) => typeof arg === 'object' && arg !== null) as OutgoingHttpHeaders | string[] | undefined;
    if (typeof rest[0] === 'string') res.statusMessage = rest[0];
    if (Array.isArray(headers)) for (let i = 0; i + 1 < headers.length; i += 2) res.setHeader(headers[i]!, headers[i + 1]!);
    else if (headers !== undefined) for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value);
    return res;
  } as ServerResponse['writeHead'];
  res.write = function write(chunk: unknown, encoding?: unknown, callback?: unknown) {
    if (answer !== undefined) return false;
    keep(chunk, encoding);
    callbackOf(encoding, callback)?.();
    return true;
  } as ServerResponse['write'];
  res.end = function end(chunk?: unknown, encoding?: unknown, callback?: unknown) {
    if (answer !== undefined) return res;
    keep(chunk, encoding);
    answer = responseOf(res, Buffer.concat(chunks));
    settle(answer);
    callbackOf(chunk, encoding, callback)?.();
    return res;
  } as ServerResponse['end'];

  return {
    ended: () => answer,
    finished,
    release() {
      Object.assign(res, original);
    },
  };
}

/** The Fetch Response for what was set on `res` and the body written to it. */
function responseOf(res: ServerResponse, body: Buffer): Response {
  const headers = headersOf(res.getHeaders());
  const empty = NULL_BODY_STATUSES.has(res.statusCode) || body.length === 0;
  return new Response(empty ? null : new Uint8Array(body), { status: res.statusCode, statusText: res.statusMessage ?? '', headers });
}

/** Node's header map as Fetch Headers (a list becomes one header per value). */
export function headersOf(map: OutgoingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(map)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, String(one));
  }
  return headers;
}

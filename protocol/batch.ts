/**
 * Batch replay on the wire (docs/protocol.md, Batch replay): many writes in one POST, one result per
 * write in its answer. A pure codec the worker and `sw-outbox/server` share, so the format exists
 * once. It runs in a service worker and in Node alike (TextEncoder, TextDecoder, atob, btoa; no Buffer).
 */

/** One write of a batch, as the sender has it: its bytes exactly as they would go alone. */
export interface BatchWrite {
  /** Unique in its batch; its result carries it back. */
  id: string;
  method: string;
  /** Origin-relative (`/api/todos/7`) or absolute on the batch URL's origin. */
  url: string;
  /** Its own headers: `Idempotency-Key`, `If-Match`, `Content-Type`… never credentials (the batch carries them once). */
  headers: Record<string, string>;
  body: Uint8Array;
}

/** One write's answer: what it would have been answered had it come alone. */
export interface BatchResult {
  id: string;
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

/**
 * How a body travels inside the JSON envelope. `json`: the body is that JSON value, and its bytes are
 * exactly `JSON.stringify(value)` in UTF-8 (the encoder picks it only for JSON bodies whose bytes are
 * that already). `text`: a JSON string, the body's UTF-8. `base64`: anything else, byte for byte.
 */
export type BodyEncoding = 'json' | 'text' | 'base64';

/** A body inside the envelope: no `body` member means an empty body. */
export interface WireBody {
  encoding?: BodyEncoding;
  body?: unknown;
}

/** A write inside the envelope (Microsoft Graph's and OData's JSON batch request, with `encoding`). */
export interface WireWrite extends WireBody {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
}

/** A result inside the envelope. */
export interface WireResult extends WireBody {
  id: string;
  status: number;
  headers?: Record<string, string>;
}

/** The batch request's body. */
export interface WireBatch {
  requests: WireWrite[];
}

/** The batch answer's body. */
export interface WireBatchAnswer {
  responses: WireResult[];
}

/** Limits a server may set on a batch; above either it answers `413` and the sender splits the batch. */
export interface BatchLimits {
  /** Most writes in one batch. */
  maxWrites: number;
  /** Largest encoded batch body, in bytes. */
  maxBytes: number;
}

/** What `sw-outbox/server` accepts unless told otherwise, and what a sender may assume before it hears otherwise. */
export const defaultBatchLimits: Readonly<BatchLimits> = Object.freeze({ maxWrites: 100, maxBytes: 1024 * 1024 });

/** The statuses from a batch URL that mean "this server does not batch": batching is off for its origin. */
export const batchRefusedStatuses: readonly number[] = [404, 405, 501];

/** The methods a batch may carry: writes only. */
export const batchMethods: readonly string[] = ['POST', 'PUT', 'PATCH', 'DELETE'];

/** Thrown by the decoders when a body is not a well-formed batch (or answer); the message says what is wrong. */
export class BatchFormatError extends Error {}

/** The body of a batch request for `writes`, in order. */
export function encodeBatch(writes: readonly BatchWrite[]): string {
  const requests = writes.map(
    (write): WireWrite => ({ id: write.id, method: write.method, url: write.url, headers: write.headers, ...encodeBody(write.body, contentTypeOf(write.headers)) }),
  );
  return JSON.stringify({ requests } satisfies WireBatch);
}

/** The writes of a batch request's body, in order; throws BatchFormatError when it is not one. */
export function decodeBatch(text: string): BatchWrite[] {
  const requests = listIn(parse(text), 'requests');
  const writes = requests.map((item, index): BatchWrite => {
    const where = `requests[${index}]`;
    const wire = objectAt(item, where);
    return {
      id: stringAt(wire.id, `${where}.id`),
      method: stringAt(wire.method, `${where}.method`),
      url: stringAt(wire.url, `${where}.url`),
      headers: headersAt(wire.headers, `${where}.headers`),
      body: decodeBody(wire, where),
    };
  });
  const ids = new Set(writes.map((write) => write.id));
  if (ids.size !== writes.length) throw new BatchFormatError('every write of a batch needs an id of its own');
  return writes;
}

/** The body of a batch answer for `results`, in the order of the batch's writes. */
export function encodeBatchAnswer(results: readonly BatchResult[]): string {
  const responses = results.map((result): WireResult => ({ id: result.id, status: result.status, headers: result.headers, ...encodeBody(result.body, contentTypeOf(result.headers)) }));
  return JSON.stringify({ responses } satisfies WireBatchAnswer);
}

/** The results of a batch answer's body; throws BatchFormatError when it is not one. */
export function decodeBatchAnswer(text: string): BatchResult[] {
  return listIn(parse(text), 'responses').map((item, index): BatchResult => {
    const where = `responses[${index}]`;
    const wire = objectAt(item, where);
    const status = wire.status;
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) throw new BatchFormatError(`${where}.status must be an HTTP status`);
    return { id: stringAt(wire.id, `${where}.id`), status, headers: headersAt(wire.headers, `${where}.headers`), body: decodeBody(wire, where) };
  });
}

/**
 * A body as the envelope carries it: as JSON where its bytes are exactly what `JSON.stringify` makes
 * of it (so the receiver gets them back unchanged), else as text where it is UTF-8, else base64.
 */
export function encodeBody(bytes: Uint8Array, contentType: string | undefined): WireBody {
  if (bytes.length === 0) return {};
  const text = utf8(bytes);
  if (text === undefined) return { encoding: 'base64', body: bytesToBase64(bytes) };
  if (isJsonType(contentType)) {
    const value = jsonValueOf(text);
    if (value !== undefined && JSON.stringify(value) === text) return { encoding: 'json', body: value };
  }
  return { encoding: 'text', body: text };
}

/** The bytes of a body as the envelope carries it (`where` names it in errors). */
export function decodeBody(wire: WireBody, where = 'body'): Uint8Array {
  if (wire.body === undefined) return new Uint8Array(0);
  switch (wire.encoding ?? 'json') {
    case 'json':
      return new TextEncoder().encode(JSON.stringify(wire.body));
    case 'text':
      return new TextEncoder().encode(stringAt(wire.body, `${where}.body`));
    case 'base64':
      return base64ToBytes(stringAt(wire.body, `${where}.body`), where);
    default:
      throw new BatchFormatError(`${where}.encoding must be json, text or base64`);
  }
}

/** Whether a content type is JSON (`application/json`, or any `+json` type). */
export function isJsonType(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

/**
 * The batch URL an answer names in its `Outbox-Batch` header (`</api/$batch>`), absolute, or null
 * when it names none or one on another origin than `base` (a batch never leaves the writes' origin).
 */
export function batchUrlFrom(header: string | null, base: string): string | null {
  const target = /^\s*<([^>]*)>\s*$/.exec(header ?? '')?.[1];
  if (target === undefined || target === '' || !URL.canParse(target, base)) return null;
  const url = new URL(target, base);
  return url.origin === new URL(base).origin ? url.href : null;
}

/** The value of an `Outbox-Batch` header naming `path`. */
export function batchHeaderValue(path: string): string {
  return `<${path}>`;
}

/** Bytes as base64, in chunks (a spread of a large array would overflow the call stack). */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The bytes of base64 text; throws BatchFormatError when it is not base64. */
export function base64ToBytes(text: string, where = 'body'): Uint8Array {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new BatchFormatError(`${where}.body is not base64`);
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function contentTypeOf(headers: Record<string, string>): string | undefined {
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() === 'content-type') return value;
  return undefined;
}

/** The text of UTF-8 bytes, or undefined when they are not UTF-8. A BOM is kept: it is part of the bytes. */
function utf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function jsonValueOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function parse(text: string): unknown {
  const value = jsonValueOf(text);
  if (value === undefined) throw new BatchFormatError('a batch body must be JSON');
  return value;
}

function listIn(value: unknown, member: string): unknown[] {
  const list = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[member] : undefined;
  if (!Array.isArray(list)) throw new BatchFormatError(`the body must be an object with a "${member}" list`);
  return list;
}

function objectAt(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BatchFormatError(`${where} must be an object`);
  return value as Record<string, unknown>;
}

function stringAt(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new BatchFormatError(`${where} must be a string`);
  return value;
}

function headersAt(value: unknown, where: string): Record<string, string> {
  if (value === undefined) return {};
  const headers = objectAt(value, where);
  for (const [name, one] of Object.entries(headers)) stringAt(one, `${where}.${name}`);
  return headers as Record<string, string>;
}

import type { IncomingMessage, ServerResponse } from 'node:http';

/** A fully buffered API response; kept as data so it can be stored and replayed verbatim. */
export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Request bodies above this are refused with 413; the demo never needs more. */
export const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {
  constructor() {
    super('request body too large');
  }
}

export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): ApiResponse {
  return { status, headers: { 'Content-Type': JSON_CONTENT_TYPE, ...headers }, body: JSON.stringify(value) };
}

export function jsonError(status: number, message: string, headers: Record<string, string> = {}): ApiResponse {
  return jsonResponse(status, { error: message }, headers);
}

/** A buffered answer as a Fetch response, for sw-outbox/server. */
export function fetchResponse(response: ApiResponse): Response {
  return new Response(response.body ?? null, { status: response.status, headers: response.headers });
}

export function emptyResponse(status: number, headers: Record<string, string> = {}): ApiResponse {
  return { status, headers };
}

export async function readBody(req: IncomingMessage, limitBytes: number = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw new BodyTooLargeError();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Writes status, headers and body; Content-Length is computed here so callers cannot get it wrong. */
export function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body?: string | Buffer,
): void {
  const bodyless = status === 204 || status === 304 || body === undefined;
  const finalHeaders: Record<string, string | number> = { ...headers };
  if (!bodyless) finalHeaders['Content-Length'] = Buffer.byteLength(body);
  res.writeHead(status, finalHeaders);
  res.end(bodyless ? undefined : body);
}

export function sendApiResponse(res: ServerResponse, response: ApiResponse): void {
  send(res, response.status, response.headers, response.body);
}

/** True for application/json and any structured `+json` type such as application/merge-patch+json. */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const mediaType = (header.split(';')[0] ?? '').trim().toLowerCase();
  return mediaType === 'application/json' || (mediaType.startsWith('application/') && mediaType.endsWith('+json'));
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** The small JSON helpers every part of the worker uses: one of each. */

/** A JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Whether a `Content-Type` is JSON (`application/json`, `application/merge-patch+json`, …). */
export function isJson(contentType: string | null): boolean {
  return contentType !== null && /^application\/([\w.+-]*\+)?json\b/i.test(contentType.trim());
}

/** JSON equality, key order aside: what compares a representation with another. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return keysA.length === keysB.length && keysA.every((key) => sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A value as the bytes of its JSON text, as the log stores bodies. */
export function jsonBytes(value: unknown): ArrayBuffer {
  return encoder.encode(JSON.stringify(value)).buffer as ArrayBuffer;
}

/** JSON text parsed, or `undefined` when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Bytes parsed as JSON, or `undefined` when they are not JSON. */
export function parseJsonBytes(bytes: ArrayBuffer): unknown {
  return parseJson(decoder.decode(bytes));
}

/** A body's text as the worker reads it: JSON where its type is JSON and it parses, else the text; null when empty. */
export function bodyOfText(text: string, contentType: string | null): unknown {
  if (text === '') return null;
  if (!isJson(contentType)) return text;
  const json = parseJson(text);
  return json === undefined ? text : json;
}

/**
 * Reads a response body: JSON where JSON, else text. From a clone, so the page still gets it
 * whole, unless `nobodyElse` says no one else reads it (a replay's answer: teeing costs more).
 */
export async function readBody(response: Response, nobodyElse = false): Promise<unknown> {
  return bodyOfText(await (nobodyElse ? response : response.clone()).text(), response.headers.get('content-type'));
}

/** Fields of a local change that `server`'s state does not have (all of them for null): what dropping it loses. */
export function lostFields(local: unknown, server: unknown): string[] {
  if (!isRecord(local)) return local === null ? [] : ['(body)'];
  const current = isRecord(server) ? server : {};
  return Object.keys(local).filter((key) => JSON.stringify(local[key]) !== JSON.stringify(current[key]));
}

import type { OutboxConfig } from '../../protocol';
import type { StoredEntry } from '../log/entry';
import { readVersion } from '../log/learning';
import { isJson, parseJson } from '../json/json';
import { classifyAnswer, networkFailure, type Outcome } from '../outcome/classify';
import { buildRequest } from './request';

/** One send of a write and what it came to. */
export interface Attempt {
  outcome: Outcome;
  /** The server's answer, unread; null on a network failure. */
  response: Response | null;
  error: string | null;
}

/** Sends one entry once and classifies what happened. */
export async function attemptSend(
  entry: StoredEntry,
  config: OutboxConfig,
  liveHeaders: [string, string][] | null,
  fetchImpl: typeof fetch,
): Promise<Attempt> {
  let response: Response;
  try {
    response = await fetchImpl(buildRequest(entry, config, liveHeaders, AbortSignal.timeout(config.timeoutMs)));
  } catch (error) {
    return { outcome: networkFailure, response: null, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
  const outcome = classifyAnswer(
    {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      contentType: response.headers.get('content-type'),
      hasBody: response.headers.get('content-length') !== '0' && response.body !== null,
    },
    Date.now(),
  );
  return { outcome, response, error: outcome.kind === 'confirmed' ? null : `HTTP ${response.status}` };
}

/** Reads a response body (from a clone, so the page still gets it whole): JSON where JSON, else text. */
export async function readBody(response: Response): Promise<unknown> {
  const text = await response.clone().text();
  if (text === '') return null;
  if (!isJson(response.headers.get('content-type'))) return text;
  const json = parseJson(text);
  return json === undefined ? text : json;
}

/** The version an answer carries: its ETag, or the configured body field. */
export function versionOf(response: Response, body: unknown, config: Pick<OutboxConfig, 'versioning'>): string | null {
  return readVersion(config.versioning, response.headers.get('etag'), body);
}

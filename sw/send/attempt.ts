import type { OutboxConfig } from '../../protocol';
import type { StoredEntry } from '../log/entry';
import { classifyAnswer, networkFailure, type Attempt } from '../outcome/classify';
import { buildRequest } from './request';

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
    return failedAttempt(error);
  }
  return attemptOf(response);
}

/** What one answer to a write comes to, the write having gone alone or in a batch. */
export function attemptOf(response: Response): Attempt {
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

/** A send that got no answer: offline, DNS, reset, timeout. */
export function failedAttempt(error: unknown): Attempt {
  return { outcome: networkFailure, response: null, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
}

import { outboxHeaders, type OutboxConfig } from '../../protocol';
import type { OutboxLog } from '../log';
import type { KeptRead } from '../log/kept-read';
import { jsonBodyOf, type StoredEntry } from '../log/entry';
import { resourceKey, tempIdsIn } from '../log/resource';
import type { StatusReporter } from '../events/status';
import { bodyOfText, isJson, readBody } from '../json/json';
import { learnFromBody } from './learn';
import { isKeepable, keptUrlOf, matchingRead, offlineAnswer, toKeptRead } from './keeping';
import { overlayRead, type OverlayWrite } from './overlay';
import { within } from './within';

/** What answering a read on a route works with. */
export interface ReadParts {
  config: OutboxConfig;
  log: OutboxLog;
  status: StatusReporter;
  /** The active partition: reads are kept for it, and answered from its copies only. */
  partition: () => string;
  /** The browser says it is offline. */
  browserOffline: () => boolean;
  /** Learns from an answer whether its server takes batches (docs/protocol.md, Batch replay). */
  learnBatchUrl: (requestUrl: string, response: Response) => void;
}

/**
 * A GET on a route (docs/protocol.md, Offline reads): sent to the network, whose answer is kept
 * for offline use and learned from; when the network fails (or is slower than `readTimeoutMs`),
 * the kept copy answers, marked offline with its age. Either way the user's pending writes are
 * laid over it. A read of a create's temporary URL is answered from the log alone: the server
 * does not know it yet. `request` is already addressed to real ids.
 */
export async function answerRead(request: Request, parts: ReadParts, afterAnswer: (work: Promise<unknown>) => void): Promise<Response> {
  const url = new URL(request.url);
  if (tempIdsIn(url).length > 0) return fromTheLogAlone(resourceKey(url), parts);
  const keptUrl = keptUrlOf(request.url, parts.config.ignoredParams);
  const keptCopy = () => parts.log.kept.of(parts.partition(), keptUrl).then((reads) => matchingRead(reads, request));
  // The browser knows it is offline: a kept copy answers without asking the network (Firefox
  // would answer from its HTTP cache, unmarked, what the worker kept and marks).
  const keptNow = parts.browserOffline() ? await keptCopy() : undefined;
  if (keptNow) return answerKept(request, keptNow, parts, afterAnswer);
  const network = fetch(request);
  const answer = await within(network, parts.config.readTimeoutMs);
  if (answer instanceof Response) {
    afterAnswer(keepAndLearn(request, answer.clone(), parts));
    parts.status.noteRead(false);
    return laidOver(request, answer, parts);
  }
  const kept = await keptCopy();
  if (!kept) return network;
  // The network may still answer: its copy replaces the kept one for next time.
  if (answer === 'late') afterAnswer(network.then((late) => keepAndLearn(request, late, parts)).catch(() => undefined));
  return answerKept(request, kept, parts, afterAnswer);
}

/** A kept copy answers, marked offline, with the pending writes laid over it. */
function answerKept(request: Request, kept: KeptRead, parts: ReadParts, afterAnswer: (work: Promise<unknown>) => void): Promise<Response> {
  afterAnswer(parts.log.kept.touch(kept));
  parts.status.noteRead(true);
  return laidOver(request, offlineAnswer(kept, Date.now()), parts);
}

/** Keeps a keepable answer for the active partition, and learns its version. */
async function keepAndLearn(request: Request, response: Response, parts: ReadParts): Promise<void> {
  // The body is read once, for both: `response` is the worker's own (a clone, or a late answer).
  parts.learnBatchUrl(request.url, response);
  const bytes = await response.arrayBuffer();
  const body = bodyOfText(new TextDecoder().decode(bytes), response.headers.get('content-type'));
  await learnFromBody(parts.log.learned, parts.config, request, response, body).catch(() => undefined);
  if (!isKeepable(response, parts.config)) return;
  // A read that does not fit (the origin's quota) is simply not kept.
  const read = await toKeptRead(request, keptUrlOf(request.url, parts.config.ignoredParams), response, parts.partition(), Date.now(), bytes);
  await parts.log.kept.keep(read).catch(() => false);
}

/** A pending write as the overlay sees it. */
export function overlayWriteOf(entry: StoredEntry): OverlayWrite {
  return {
    method: entry.method, resource: entry.resource, json: jsonBodyOf(entry),
    tempId: entry.tempId, tempUrl: entry.tempUrl, count: 1 + entry.coalesced.length,
  };
}

/** An answer with the pending writes of its resource (and its members) laid over it; others unchanged. */
async function laidOver(request: Request, response: Response, parts: ReadParts): Promise<Response> {
  if (response.status !== 200 || !isJson(response.headers.get('content-type'))) return response;
  const url = new URL(keptUrlOf(request.url, parts.config.ignoredParams));
  const resource = resourceKey(url);
  const writes = await parts.log.entries.pendingAt(resource, parts.partition());
  if (writes.length === 0) return response;
  const { idField, selfField } = parts.config;
  const result = overlayRead(resource, await readBody(response), writes.map(overlayWriteOf), { idField, selfField }, url.search === '');
  if (result.kind === 'unchanged') return response;
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  headers.delete('content-encoding');
  headers.set(outboxHeaders.overlaid, String(result.applied));
  if (result.kind === 'gone') return new Response(null, { status: 404, headers });
  return new Response(JSON.stringify(result.body), { status: 200, headers });
}

/** A read of a create the server has not confirmed yet: the create and the writes after it, or 404. */
async function fromTheLogAlone(resource: string, parts: ReadParts): Promise<Response> {
  const writes = await parts.log.entries.pendingAt(resource, parts.partition());
  const { idField, selfField } = parts.config;
  const result = overlayRead(resource, null, writes.map(overlayWriteOf), { idField, selfField }, true);
  const headers = new Headers({ 'Content-Type': 'application/json' });
  if (result.kind !== 'body') return new Response(null, { status: 404, headers });
  headers.set(outboxHeaders.overlaid, String(result.applied));
  return new Response(JSON.stringify(result.body), { status: 200, headers });
}

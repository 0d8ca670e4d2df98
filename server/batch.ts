import { BatchFormatError, batchHeaderValue, decodeBatch, defaultBatchLimits, encodeBatchAnswer, isJsonType } from '../protocol/batch';
import type { BatchLimits, BatchResult, BatchWrite } from '../protocol/batch';
import { batchContentType, batchHeader } from '../protocol/names';
import { resultOf, writeRequest } from './batch-write';
import { pathOf } from './url-parts';
import { bytesOnlyOf } from './byte-answers';
import type { FetchHandler } from './core';
import { problemJson, problems } from './problem';
import type { ProblemRenderer } from './problem';

/** Where the kit answers batches, and its limits (`exactlyOnce`'s `batch`; `false` turns batching off). */
export interface BatchOptions extends Partial<BatchLimits> {
  /** The batch URL's path; default `/api/$batch` (under sw-outbox's default route, `/api/`). */
  path?: string;
}

/** The batch URL's path unless told otherwise: `$batch`, as Microsoft Graph and OData name theirs, under `/api/`. */
export const DEFAULT_BATCH_PATH = '/api/$batch';

/** The batch URL of one server: how it is recognised, advertised and answered. */
export interface BatchEndpoint {
  readonly path: string;
  readonly limits: BatchLimits;
  /** Whether a request is for the batch URL, given its URL (absolute, or its path and query). */
  handles(url: string): boolean;
  /** The `Outbox-Batch` header's value. */
  readonly advertised: string;
  /** The answer to a batch over the limits. */
  tooLarge(): Response;
  /** `response`, naming the batch URL in its `Outbox-Batch` header (a copy when its headers are immutable). */
  advertise(response: Response): Response;
  /** Answers a request to the batch URL: each write, in order, through `dispatch`, as if it had come alone. */
  answer(request: Request, dispatch: FetchHandler): Promise<Response>;
}

/** The batch URL `options` describe, or undefined when batching is off (`false`). */
export function batchEndpoint(options: BatchOptions | false | undefined, problem: ProblemRenderer = problemJson): BatchEndpoint | undefined {
  if (options === false) return undefined;
  const path = options?.path ?? DEFAULT_BATCH_PATH;
  if (!path.startsWith('/')) throw new TypeError(`sw-outbox/server: batch.path must be a path starting with /, got ${JSON.stringify(path)}`);
  const limits: BatchLimits = { maxWrites: options?.maxWrites ?? defaultBatchLimits.maxWrites, maxBytes: options?.maxBytes ?? defaultBatchLimits.maxBytes };
  const advertised = batchHeaderValue(path);
  const tooLarge = () => problem(problems.batchTooLarge(limits.maxWrites, limits.maxBytes));

  /** One write's result: its own answer, or the kit's when it cannot be a request or its handler threw. */
  const apply = async (batch: Request, write: BatchWrite, dispatch: FetchHandler) => {
    const made = writeRequest(batch, write, path);
    if (!made.ok) return resultOf(write.id, problem(problems.batchWriteRefused(made.reason)));
    try {
      return await resultOf(write.id, await dispatch(made.request));
    } catch (error) {
      console.error(`sw-outbox/server: write ${JSON.stringify(write.id)} of a batch failed:`, error);
      return resultOf(write.id, problem(problems.batchWriteFailed()));
    }
  };

  return {
    path,
    limits,
    handles: (url) => pathOf(url) === path,
    advertised,
    tooLarge,
    advertise(response) {
      try {
        response.headers.set(batchHeader, advertised);
        return response;
      } catch {
        const copy = new Response(response.body, response);
        copy.headers.set(batchHeader, advertised);
        return copy;
      }
    },
    async answer(request, dispatch) {
      if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: { Allow: 'POST, OPTIONS' } });
      if (request.method !== 'POST') return problem(problems.batchMethod());
      if (!isJsonType(request.headers.get('content-type') ?? undefined)) return problem(problems.batchMediaType(batchContentType));
      const bytes = await readAtMost(request, limits.maxBytes);
      if (bytes === undefined) return tooLarge();
      let writes: BatchWrite[];
      try {
        writes = decodeBatch(new TextDecoder().decode(bytes));
      } catch (error) {
        if (error instanceof BatchFormatError) return problem(problems.batchMalformed(error.message));
        throw error;
      }
      if (writes.length > limits.maxWrites) return tooLarge();
      const results: BatchResult[] = [];
      const headers = new Headers({ 'Content-Type': batchContentType, 'Cache-Control': 'no-store' });
      // In order, one after the other: a write may depend on the one before it (docs/protocol.md).
      for (const write of writes) {
        const { result, cookies } = await apply(request, write, dispatch);
        results.push(result);
        for (const cookie of cookies) headers.append('Set-Cookie', cookie);
      }
      return new Response(encodeBatchAnswer(results), { status: 200, headers });
    },
  };
}

/** Settings of `batchHandler`: the batch URL's, and how its errors are written. */
export interface BatchHandlerOptions extends BatchOptions {
  problem?: ProblemRenderer;
}

/**
 * A Fetch handler that answers batch requests by sending each write through `handle`, for a server
 * that routes its batch URL itself (the kit's `exactlyOnce` answers its own). Its answers name the
 * batch URL; give other answers of the server the same `Outbox-Batch` header so the worker finds it.
 */
export function batchHandler(handle: FetchHandler, options: BatchHandlerOptions = {}): FetchHandler {
  const endpoint = batchEndpoint(options, options.problem)!;
  // A write's answer is read for its result only, and its noted bytes are what is read.
  const dispatch = bytesOnlyOf(handle).handler;
  return async (request) => endpoint.advertise(await endpoint.answer(request, dispatch));
}

/** A request's body, or undefined once it is over `maxBytes` (the rest is not read). */
async function readAtMost(request: Request, maxBytes: number): Promise<Uint8Array | undefined> {
  if (Number(request.headers.get('content-length') ?? 0) > maxBytes) return undefined;
  if (request.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    size += chunk.value.length;
    if (size > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(chunk.value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

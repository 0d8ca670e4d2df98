import type { IncomingMessage } from 'node:http';
import type { PGlite } from '@electric-sql/pglite';
import { listWrites, resetDatabase } from './db';
import { parseFaults } from './faults';
import type { FaultInjector } from './faults';
import { emptyResponse, isJsonContentType, jsonError, jsonResponse, readBody } from './http';
import type { ApiResponse } from './http';

export interface TestHookContext {
  db: PGlite;
  faults: FaultInjector;
  /** Batch requests received since the last reset (each may carry many writes). */
  traffic: { batches: number };
}

/** Endpoints under /__test/ that let e2e tests reset state, read the audit log and inject faults. */
export async function handleTestHook(context: TestHookContext, req: IncomingMessage, pathname: string): Promise<ApiResponse> {
  const method = req.method ?? 'GET';
  switch (pathname) {
    case '/__test/reset':
      if (method !== 'POST') return methodNotAllowed('POST');
      await resetDatabase(context.db);
      context.faults.clear();
      context.traffic.batches = 0;
      return emptyResponse(204);
    case '/__test/writes':
      if (method !== 'GET') return methodNotAllowed('GET');
      return jsonResponse(200, await listWrites(context.db));
    case '/__test/traffic':
      if (method !== 'GET') return methodNotAllowed('GET');
      return jsonResponse(200, context.traffic);
    case '/__test/faults':
      if (method === 'GET') return jsonResponse(200, context.faults.current());
      if (method === 'POST') return setFaults(context.faults, req);
      return methodNotAllowed('GET, POST');
    default:
      return jsonError(404, 'not found');
  }
}

async function setFaults(faults: FaultInjector, req: IncomingMessage): Promise<ApiResponse> {
  const body = await readBody(req);
  const text = body.toString('utf8');
  // An empty body is as good as `{}`: it clears the faults.
  if (text.trim() !== '' && !isJsonContentType(req.headers['content-type'])) {
    return jsonError(415, 'Content-Type must be application/json');
  }
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    return jsonError(400, 'malformed JSON');
  }
  const parsed = parseFaults(value);
  if (typeof parsed === 'string') return jsonError(422, parsed);
  faults.set(parsed);
  return emptyResponse(204);
}

function methodNotAllowed(allow: string): ApiResponse {
  return jsonError(405, 'method not allowed', { Allow: allow });
}

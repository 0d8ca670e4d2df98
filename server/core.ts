import { checkPreconditions, strongETag } from './conditions';
import type { ConditionalRoute } from './conditions';
import { DEFAULT_REPLAYED_HEADERS, fingerprintOf, replayOf, snapshot } from './fingerprint';
import { parseIdempotencyKey } from './key';
import type { KeySyntax } from './key';
import { knownBody, readBody } from './known-body';
import { finalOutcome, optionalForWrites } from './options';
import type { ExactlyOnceOptions, KeyPolicy } from './options';
import { problemJson, problems } from './problem';
import type { Problem } from './problem';
import type { ClaimResult, IdempotencyStore, KeyClaim, KeyRequest, StoredResponse } from './store';
import { batchEndpoint } from './batch';
import { pairWithBytesOnly } from './byte-answers';
import { batchHeader } from '../protocol/names';

/** A Fetch-standard handler: what Hono, Bun and Deno serve, and what the adapters wrap. */
export type FetchHandler = (request: Request) => Promise<Response>;

/** What the app's handler gets besides the request. */
export interface WriteContext<Tx> {
  /** The request's Idempotency-Key (decoded), when it has one. */
  readonly key: string | undefined;
  /**
   * Runs the write in one transaction of the store's database. A route's preconditions are checked
   * again inside it, and with a key the key's result is recorded in it: the write and its replayable
   * answer commit together, or neither does (an answer that is not kept, a 5xx, rolls it back).
   */
  transaction(work: (tx: Tx) => Promise<Response>): Promise<Response>;
}

/** The app's handler, as the kit calls it once it is clear that the request must run. */
export type ExactlyOnceHandler<Tx> = (request: Request, context: WriteContext<Tx>) => Promise<Response>;

/** Thrown inside a store transaction to roll it back while still answering with `response`. */
class RollBack extends Error {
  constructor(
    readonly response: Response,
    readonly claimLost: boolean,
  ) {
    super('rolled back');
  }
}

interface Settings<Tx> {
  store: IdempotencyStore<Tx>;
  transactional: (request: Request) => boolean;
  keys: (request: Request) => KeyPolicy;
  scope: (request: Request) => string | Promise<string>;
  keep: (status: number) => boolean;
  syntax: KeySyntax;
  /** The names of `replayedHeaders`, in lower case. */
  replayed: ReadonlySet<string>;
  conditions: (request: Request) => ConditionalRoute<Tx> | undefined;
  problem: (problem: Problem) => Response;
  /** Whether the answers the kit rebuilds from bytes carry them as a body stream too (see byte-answers.ts). */
  streamed: boolean;
}

/**
 * Wraps `handler` with Idempotency-Key (draft-ietf-httpapi-idempotency-key-header-07) and
 * conditional writes (RFC 9110), and answers the batch URL (docs/protocol.md, Batch replay) by
 * sending each write of a batch through the same rules: see docs/server.md for the rules and status
 * codes. Every answer names the batch URL in its `Outbox-Batch` header.
 */
export function exactlyOnce<Tx>(handler: ExactlyOnceHandler<Tx>, options: ExactlyOnceOptions<Tx>): FetchHandler {
  const settings = settingsOf(options);
  const single = keyed(handler, settings);
  // Answers only the kit reads (a batch's writes, whose results take the noted bytes) and the Node
  // adapters' (byte-answers.ts) need no body streams, and the adapters add the batch header as they send.
  const bytesOnly = keyed(handler, { ...settings, streamed: false });
  const batch = batchEndpoint(options.batch, settings.problem);
  if (batch === undefined) return pairWithBytesOnly(single, bytesOnly);
  const routed =
    (one: FetchHandler): FetchHandler =>
    (request) =>
      batch.handles(request.url) ? batch.answer(request, bytesOnly) : one(request);
  const advertise = (response: Response) => batch.advertise(response);
  const answering = routed(single);
  return pairWithBytesOnly((request) => answering(request).then(advertise), routed(bytesOnly), [[batchHeader.toLowerCase(), batch.advertised]]);
}

/**
 * `exactlyOnce` for one request at a time, without the batch URL: what the middlewares (Express,
 * Fastify, Hono) wrap each request with, as they answer batches through the app's own routes.
 */
export function exactlyOnceSingle<Tx>(handler: ExactlyOnceHandler<Tx>, options: ExactlyOnceOptions<Tx>): FetchHandler {
  return keyed(handler, settingsOf(options));
}

/** One request at a time through the kit's rules, with `settings`. */
function keyed<Tx>(handler: ExactlyOnceHandler<Tx>, settings: Settings<Tx>): FetchHandler {
  return async (request) => {
    const policy = settings.keys(request);
    const header = policy === 'ignored' ? null : request.headers.get('idempotency-key');
    if (header === null) {
      if (policy === 'required') return settings.problem(problems.missingKey());
      return runUnkeyed(settings, handler, request);
    }
    const parsed = parseIdempotencyKey(header, settings.syntax);
    if (!parsed.ok) return settings.problem(problems.malformedKey(parsed.detail));
    // The adapters note the bytes a request was built from: then it is digested without being read.
    const known = knownBody(request);
    const { body, unread } = known === undefined ? await readForDigest(request) : { body: known, unread: request };
    const scope = settings.scope(request);
    const keyRequest: KeyRequest = { scope: typeof scope === 'string' ? scope : await scope, key: parsed.key, fingerprint: fingerprintOf(request, body) };
    // `return await`: an async function that returns a promise unawaited settles a microtask later.
    if (settings.store.keyedTransaction !== undefined && settings.transactional(request)) return await runInTransaction(settings, handler, unread, keyRequest);
    const result = await settings.store.claim(keyRequest);
    if (result.kind !== 'claimed') return answerOf(settings, result);
    return await runClaimed(settings, handler, unread, result.claim);
  };
}

function settingsOf<Tx>(options: ExactlyOnceOptions<Tx>): Settings<Tx> {
  const transactional = options.transactional ?? false;
  return {
    streamed: true,
    store: options.store,
    transactional: typeof transactional === 'function' ? transactional : () => transactional,
    keys: options.keys ?? optionalForWrites,
    scope: options.scope ?? (() => ''),
    keep: options.keep ?? finalOutcome,
    syntax: { maxLength: options.maxKeyLength ?? 255, bareKeys: options.bareKeys ?? false },
    replayed: new Set((options.replayedHeaders ?? DEFAULT_REPLAYED_HEADERS).map((name) => name.toLowerCase())),
    conditions: options.conditions ?? (() => undefined),
    problem: options.problem ?? problemJson,
  };
}

/** The kit's own answer to a key it did not get to run: the stored one, or why not. */
function answerOf<Tx>(settings: Settings<Tx>, result: Exclude<ClaimResult, { kind: 'claimed' }>): Response {
  switch (result.kind) {
    case 'replay':
      return replayOf(result.response, settings.streamed);
    case 'mismatch':
      return settings.problem(problems.keyReused());
    case 'running':
      return settings.problem(problems.keyRunning(result.retryAfterSeconds));
  }
}

/** A request's body, for its digest, and the request to hand the handler: rebuilt from the bytes read. */
async function readForDigest(request: Request): Promise<{ body: Uint8Array; unread: Request }> {
  const body = await readBody(request);
  return { body, unread: withBody(request, body) };
}

/** `request` again with `body` (its own, already read) as its body. */
function withBody(request: Request, body: Uint8Array): Request {
  const bodyless = request.method === 'GET' || request.method === 'HEAD';
  return new Request(request.url, { method: request.method, headers: request.headers, signal: request.signal, ...(bodyless ? {} : { body: body as Uint8Array<ArrayBuffer> }) });
}

async function runUnkeyed<Tx>(settings: Settings<Tx>, handler: ExactlyOnceHandler<Tx>, request: Request): Promise<Response> {
  const route = conditionsOf(settings, request);
  const early = await precondition(settings, request, route, undefined);
  if (early) return early;
  return handler(request, {
    key: undefined,
    transaction: (work) => settings.store.transaction(async (tx) => (await precondition(settings, request, route, tx)) ?? work(tx)),
  });
}

/**
 * Runs a request whose key this process now holds, and records its answer exactly once: inside
 * the app's transaction when it used one, else after the handler. Any failure releases the key,
 * so the next delivery runs again; a lapsed lease (another holder took over) rolls the write back.
 */
async function runClaimed<Tx>(settings: Settings<Tx>, handler: ExactlyOnceHandler<Tx>, request: Request, claim: KeyClaim): Promise<Response> {
  const { store } = settings;
  const stopRenewing = renewWhileRunning(store, claim);
  let finished = false;
  const route = conditionsOf(settings, request);
  const transaction = async (work: (tx: Tx) => Promise<Response>): Promise<Response> => {
    if (finished) throw new Error('sw-outbox/server: a keyed request can record its answer in one transaction only');
    try {
      const response = await store.transaction(async (tx) => {
        const { stored, response } = await outcomeOf(settings, (await precondition(settings, request, route, tx)) ?? (await work(tx)));
        if (stored === undefined) throw new RollBack(response, false);
        if (!(await store.finishIn(tx, claim, stored))) throw new RollBack(settings.problem(problems.keyTakenOver()), true);
        return response;
      });
      finished = true;
      return response;
    } catch (error) {
      if (!(error instanceof RollBack)) throw error;
      // A lost claim belongs to another delivery now: there is nothing left for this one to finish.
      if (error.claimLost) finished = true;
      return error.response;
    }
  };
  try {
    const early = precondition(settings, request, route, undefined);
    const answer = (early && (await early)) ?? (await handler(request, { key: claim.key, transaction }));
    if (finished) return answer;
    const { stored, response } = await outcomeOf(settings, answer);
    // Without a transaction the app's effect is already done; a lost lease can only be logged.
    if (!(await store.finish(claim, stored))) {
      console.error(`sw-outbox/server: key ${JSON.stringify(claim.key)} was taken over while its handler ran outside a transaction`);
    }
    finished = true;
    return response;
  } finally {
    stopRenewing();
    if (!finished) await store.finish(claim, undefined).catch(() => false);
  }
}

/**
 * Runs a keyed request of a `transactional` route: the key is claimed as the handler's
 * `context.transaction` ends, so write, claim and recorded answer are one transaction. Of two
 * deliveries of a key, the first to commit runs it; the other's work is rolled back and it gets the
 * replay. A process that dies mid-request leaves nothing behind, so no lease is needed. A replay
 * is found only as the transaction ends: the handler and its work run, and the work is undone.
 */
async function runInTransaction<Tx>(settings: Settings<Tx>, handler: ExactlyOnceHandler<Tx>, request: Request, keyRequest: KeyRequest): Promise<Response> {
  const { store } = settings;
  const route = conditionsOf(settings, request);
  let used = false;
  /** The kit's own answer when the key was not this delivery's to run: it wins over the handler's. */
  let decided: Response | undefined;
  const transaction = async (work: (tx: Tx) => Promise<Response>): Promise<Response> => {
    if (used) throw new Error('sw-outbox/server: a keyed request can record its answer in one transaction only');
    used = true;
    const result = await store.keyedTransaction!(keyRequest, async (tx) => {
      const { stored, response } = await outcomeOf(settings, (await precondition(settings, request, route, tx)) ?? (await work(tx)));
      return { record: stored, value: response };
    });
    if (result.kind === 'ran') return result.value;
    return (decided = answerOf(settings, result));
  };
  let answer: Response;
  try {
    answer = await handler(request, { key: keyRequest.key, transaction });
  } catch (error) {
    // A handler that throws on the kit's answer (a 409 it did not expect, say) does not turn it into a 500.
    if (decided !== undefined) return decided;
    throw error;
  }
  if (decided !== undefined) return decided;
  if (used) return answer;
  return recordAfter(settings, keyRequest, answer);
}

/**
 * Records the answer of a `transactional` handler that answered without its transaction (a
 * validation error, say: it applied nothing), as a handler outside a transaction is recorded. When
 * another delivery recorded one first, that one is the answer.
 */
async function recordAfter<Tx>(settings: Settings<Tx>, keyRequest: KeyRequest, answer: Response): Promise<Response> {
  const { stored, response } = await outcomeOf(settings, answer);
  if (stored === undefined) return response;
  const result = await settings.store.claim(keyRequest);
  if (result.kind !== 'claimed') return result.kind === 'running' ? response : answerOf(settings, result);
  await settings.store.finish(result.claim, stored);
  return response;
}

/** The outcome to record (undefined: release the key) and the answer to send. */
interface Outcome {
  stored?: StoredResponse;
  response: Response;
}

/** The outcome of `response`: at once when it is not kept, else once its body is read. */
function outcomeOf<Tx>(settings: Settings<Tx>, response: Response): Outcome | Promise<Outcome> {
  return settings.keep(response.status) ? snapshot(response, settings.replayed, settings.streamed) : { response };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** A route's preconditions, for writes only: on reads If-None-Match is a cache's business (304). */
function conditionsOf<Tx>(settings: Settings<Tx>, request: Request): ConditionalRoute<Tx> | undefined {
  return SAFE_METHODS.has(request.method) ? undefined : settings.conditions(request);
}

/** The answer a failed precondition gets, or undefined when the write may go on (at once for a route without conditions). */
function precondition<Tx>(settings: Settings<Tx>, request: Request, route: ConditionalRoute<Tx> | undefined, tx: Tx | undefined): Promise<Response | undefined> | undefined {
  return route === undefined ? undefined : failedPrecondition(settings, request, route, tx);
}

async function failedPrecondition<Tx>(settings: Settings<Tx>, request: Request, route: ConditionalRoute<Tx>, tx: Tx | undefined): Promise<Response | undefined> {
  const verdict = checkPreconditions(request.headers, await route.load(tx), route.required ?? false);
  if (verdict.pass) return undefined;
  if (verdict.status === 428) return settings.problem(problems.preconditionRequired());
  if (verdict.current === null) return settings.problem(problems.preconditionFailed());
  const representation = await verdict.current.representation();
  const headers = new Headers(representation.headers);
  headers.set('ETag', strongETag(verdict.current.version));
  return new Response(representation.body, { status: 412, headers });
}

const nothingToStop = (): void => undefined;

/** Renews a leased claim while the handler runs, so a slow request is not taken for a dead one. */
function renewWhileRunning<Tx>(store: IdempotencyStore<Tx>, claim: KeyClaim): () => void {
  if (store.renew === undefined || store.renewEveryMs === undefined) return nothingToStop;
  const renew = store.renew.bind(store);
  const timer = setInterval(() => void renew(claim).catch(() => false), store.renewEveryMs);
  timer.unref();
  return () => clearInterval(timer);
}

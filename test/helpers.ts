import 'fake-indexeddb/auto';
import { eventChannelName, resolveConfig, type OutboxSettings } from '../protocol';
import type { CredentialsQuestion, OutboxEvent, WorkerApi } from '../protocol/wire';
import type { EntryDraft } from '../sw/log/entry';
import { openLog, type OutboxLog } from '../sw/log';
import { InFlight } from '../sw/send/in-flight';
import { assembleOutbox, type Outbox } from '../sw/outbox';
import { createControls } from '../sw/pages/controls';
import type { PageLine } from '../sw/pages/page-registry';

let databases = 0;

/** A log in a fresh fake IndexedDB database; `isSending` says which writes are on the wire (none by default), `maxKeptBytes` caps kept reads. */
export function openTestLog(isSending: (id: string) => boolean = () => false, hooks: Parameters<typeof openLog>[1] = {}, maxKeptBytes?: number): Promise<OutboxLog> {
  return openLog(`test-${++databases}-${Date.now()}`, hooks, isSending, maxKeptBytes);
}

const origin = 'http://app.test';

/** A write as capture would make it; JSON bodies, coalescing off unless asked for. */
export function draft(method: string, path: string, body?: unknown, extra: Partial<EntryDraft> = {}): EntryDraft {
  const url = new URL(path, origin);
  const bytes = body === undefined ? null : (new TextEncoder().encode(JSON.stringify(body)).buffer as ArrayBuffer);
  return {
    id: crypto.randomUUID(), idempotencyKey: crypto.randomUUID(), method, url: url.href,
    headers: body === undefined ? [] : [['content-type', 'application/json']],
    body: bytes, contentType: body === undefined ? null : 'application/json',
    resource: `${url.origin}${url.pathname}`, tempId: null, tempUrl: null, requestedBase: null, baseRepresentation: null,
    createdAt: Date.now(), attempts: 0, failures: 0, nextAttemptAt: 0, notBefore: 0,
    state: 'queued', lastStatus: null, lastError: null, reason: null, coalesce: false, versioned: true, conflict: 'server-wins', partition: '', ...extra,
  };
}

/** A create with a temporary id, as capture makes it for a POST without an id. */
export function createDraft(collection: string, tempId: string, body: unknown): EntryDraft {
  const tempUrl = new URL(`${collection}/${tempId}`, origin).href;
  return draft('POST', collection, body, { tempId, tempUrl, resource: tempUrl });
}

export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | 'network-error';

/**
 * A fetch that records what it is sent and answers from a script; `delayMs` keeps requests in
 * flight long enough to see how many run at once.
 */
export class ScriptedServer {
  readonly sent: SentRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly answer: (request: SentRequest) => Answer, private readonly delayMs = 0) {}

  readonly fetch: typeof fetch = async (input) => {
    const request = input as Request;
    const sent: SentRequest = {
      method: request.method, url: request.url, headers: Object.fromEntries(request.headers), body: await request.text(),
    };
    this.sent.push(sent);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    this.inFlight--;
    const answer = this.answer(sent);
    if (answer === 'network-error') throw new TypeError('Failed to fetch');
    const headers = new Headers(answer.headers);
    if (answer.body !== undefined) headers.set('content-type', 'application/json');
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), { status: answer.status, headers });
  };
}

/** An open page as the worker sees it: what it answers is the test's to set. */
export interface TestPage {
  credentials: (write: CredentialsQuestion) => Promise<Record<string, string> | null>;
}

export interface TestEngine {
  log: OutboxLog;
  outbox: Outbox;
  /** The controls, as a page calls them. */
  controls: WorkerApi;
  /** The one open page, connected to the worker. */
  page: TestPage;
  events: OutboxEvent[];
  close(): void;
}

/** The worker's parts over a fresh log, one page connected, with every event they emit collected. */
export async function startEngine(server: ScriptedServer, settings: Partial<OutboxSettings> = {}): Promise<TestEngine> {
  const inFlight = new InFlight();
  const log = await openTestLog((id) => inFlight.isSending(id));
  const outbox = await assembleOutbox(log, inFlight, resolveConfig(settings), {
    fetch: server.fetch,
    onNetworkDown: () => undefined,
    windows: { openIds: async () => ['test-page'], requestConnections: () => undefined },
  });
  const page: TestPage = { credentials: async () => null };
  const line = { credentials: (write: CredentialsQuestion) => page.credentials(write), conflict: async () => null };
  outbox.pages.connect('test-page', line as unknown as PageLine);
  const events: OutboxEvent[] = [];
  const channel = new BroadcastChannel(eventChannelName);
  channel.onmessage = (message: MessageEvent<OutboxEvent>) => {
    if (message.data.type !== 'status') events.push(message.data);
  };
  return { log, outbox, controls: createControls(outbox, 'test-page'), page, events, close: () => channel.close() };
}

/** Lets broadcast events arrive. */
export const tick = (ms = 20): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

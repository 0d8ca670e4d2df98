import { afterEach, describe, expect, it } from 'vitest';
import { batchHeader, type OutboxSettings } from '../protocol';
import { decodeBatch, encodeBatchAnswer, type BatchResult, type BatchWrite } from '../protocol/batch';
import { ScriptedServer, draft, startEngine, tick, type SentRequest, type TestEngine } from './helpers';

let current: TestEngine | null = null;
afterEach(() => current?.close());

const batchUrl = 'http://app.test/api/$batch';
const encoder = new TextEncoder();

/** A result as a server that took the write alone would have answered it. */
function result(write: BatchWrite, status: number, body: unknown = {}, headers: Record<string, string> = {}): BatchResult {
  return { id: write.id, status, headers: { 'content-type': 'application/json', ...headers }, body: encoder.encode(JSON.stringify(body)) };
}

/**
 * A server that takes batches at /api/$batch and names it on every answer; `answer` gives each
 * write's result (default 200), and `batch` may answer the batch request as a whole instead.
 */
function batchingServer(answer: (write: BatchWrite) => BatchResult = (write) => result(write, 200), batch?: (sent: SentRequest) => ReturnType<ConstructorParameters<typeof ScriptedServer>[0]> | null) {
  const named = { [batchHeader]: '</api/$batch>' };
  return new ScriptedServer((sent) => {
    if (sent.url !== batchUrl) return { status: 200, body: {}, headers: named };
    const whole = batch?.(sent);
    if (whole) return whole;
    return { status: 200, body: JSON.parse(encodeBatchAnswer(decodeBatch(sent.body).map(answer))), headers: named };
  });
}

/** The writes each batch request carried: `METHOD path` in order. */
const batches = (server: ScriptedServer) => server.sent.filter((sent) => sent.url === batchUrl).map((sent) => decodeBatch(sent.body).map((write) => `${write.method} ${new URL(write.url).pathname}`));

/** The engine, taught the batch URL by a first write's answer. */
async function taught(server: ScriptedServer, settings: Partial<OutboxSettings> = {}): Promise<TestEngine> {
  current = await startEngine(server, settings);
  await current.log.entries.append(draft('PATCH', '/api/todos/0', { n: 0 }));
  await current.outbox.scheduler.kick();
  expect(server.sent.map((sent) => sent.url)).toEqual(['http://app.test/api/todos/0']);
  return current;
}

describe('batch replay', () => {
  it('sends the heads of many lanes in one request, one write per resource per batch, each lane in order', async () => {
    const server = batchingServer();
    const { log, outbox } = await taught(server);
    for (let n = 1; n <= 3; n++) for (let r = 1; r <= 4; r++) await log.entries.append(draft('PATCH', `/api/todos/${r}`, { n }));
    await outbox.scheduler.kick();
    const sent = batches(server);
    expect(sent).toHaveLength(3);
    for (const batch of sent) expect(new Set(batch).size).toBe(batch.length);
    expect(sent.map((batch) => batch.length)).toEqual([4, 4, 4]);
    const bodies = server.sent.filter((s) => s.url === batchUrl).flatMap((s) => decodeBatch(s.body)).filter((w) => w.url.endsWith('/todos/2'));
    expect(bodies.map((write) => JSON.parse(new TextDecoder().decode(write.body)).n)).toEqual([1, 2, 3]);
    expect(await log.entries.countPending('')).toBe(0);
  });

  it('each write carries its own key and version, and settles as if alone: one refused, one in conflict, the others confirmed', async () => {
    const server = batchingServer((write) => {
      if (write.url.endsWith('/todos/2')) return result(write, 422, { title: 'Unprocessable' }, { 'content-type': 'application/problem+json' });
      if (write.url.endsWith('/todos/3')) return result(write, 412, { id: 3, title: 'theirs' }, { etag: '"9"' });
      return result(write, 200, { ok: true }, { etag: '"2"' });
    });
    const { log, outbox, events } = await taught(server);
    const ids: string[] = [];
    for (let r = 1; r <= 4; r++) ids.push((await log.entries.append(draft('PATCH', `/api/todos/${r}`, { title: 'mine' }, { requestedBase: '"1"', conflict: 'server-wins' }))).entry.id);
    await outbox.scheduler.kick();
    const [batch] = server.sent.filter((sent) => sent.url === batchUrl).map((sent) => decodeBatch(sent.body));
    expect(batch!.map((write) => write.headers['if-match'])).toEqual(['"1"', '"1"', '"1"', '"1"']);
    expect(new Set(batch!.map((write) => write.headers['idempotency-key'])).size).toBe(4);
    await tick();
    expect(await log.entries.get(ids[1]!)).toMatchObject({ state: 'dead', reason: 'rejected', lastStatus: 422 });
    expect(events.find((event) => event.type === 'conflict')).toMatchObject({ id: ids[2], status: 412, dropped: true });
    expect(events.filter((event) => event.type === 'confirmed').map((event) => event.type === 'confirmed' && event.id)).toEqual(expect.arrayContaining([ids[0], ids[3]]));
  });

  it('a batch lost on the wire is sent again whole, with the same keys; nothing is lost', async () => {
    let lose = true;
    const server = batchingServer(undefined, () => (lose ? 'network-error' : null));
    const { log, outbox } = await taught(server);
    for (let r = 1; r <= 3; r++) await log.entries.append(draft('PATCH', `/api/todos/${r}`, { r }));
    await outbox.scheduler.kick();
    expect(await log.entries.countPending('')).toBe(3);
    lose = false;
    await outbox.scheduler.kick(true);
    const [first, second] = server.sent.filter((sent) => sent.url === batchUrl).map((sent) => decodeBatch(sent.body).map((write) => write.headers['idempotency-key']));
    expect(second).toEqual(first);
    expect(await log.entries.countPending('')).toBe(0);
  });

  it('a server over its limits (413) gets the batch again in halves; a refused batch URL (404) turns batching off', async () => {
    const server = batchingServer(undefined, (sent) => (decodeBatch(sent.body).length > 2 ? { status: 413, body: { title: 'Too many' } } : null));
    const { log, outbox } = await taught(server);
    for (let r = 1; r <= 4; r++) await log.entries.append(draft('PATCH', `/api/todos/${r}`, { r }));
    await outbox.scheduler.kick();
    expect(batches(server).map((batch) => batch.length)).toEqual([4, 2, 2]);
    expect(await log.entries.countPending('')).toBe(0);

    const refusing = batchingServer(undefined, () => ({ status: 404 }));
    const engine = await taught(refusing);
    for (let r = 1; r <= 3; r++) await engine.log.entries.append(draft('PATCH', `/api/todos/${r}`, { r }));
    await engine.outbox.scheduler.kick();
    for (let r = 1; r <= 3; r++) await engine.log.entries.append(draft('PATCH', `/api/todos/${r}`, { again: r }));
    await engine.outbox.scheduler.kick();
    expect(refusing.sent.filter((sent) => sent.url === batchUrl)).toHaveLength(1);
    expect(refusing.sent.filter((sent) => sent.method === 'PATCH')).toHaveLength(7);
    expect(await engine.log.entries.countPending('')).toBe(0);
  });

  it('a drain that began one write at a time batches from the first answer that names the batch URL', async () => {
    const server = batchingServer();
    const { log, outbox } = (current = await startEngine(server, { concurrency: 2 }));
    for (let n = 1; n <= 4; n++) for (let r = 1; r <= 8; r++) await log.entries.append(draft('PATCH', `/api/todos/${r}`, { n }));
    await outbox.scheduler.kick();
    const alone = server.sent.filter((sent) => sent.method === 'PATCH');
    // The two runners each had one write on the wire when the first answer came; the rest went in batches.
    expect(alone.length).toBeLessThanOrEqual(2);
    expect(batches(server).flat()).toHaveLength(32 - alone.length);
    const todo2 = [...alone.map((sent) => ({ url: sent.url, body: sent.body })), ...server.sent.filter((s) => s.url === batchUrl).flatMap((s) => decodeBatch(s.body)).map((w) => ({ url: w.url, body: new TextDecoder().decode(w.body) }))]
      .filter((write) => write.url.endsWith('/todos/2'));
    expect(todo2.map((write) => JSON.parse(write.body).n)).toEqual([1, 2, 3, 4]);
    expect(await log.entries.countPending('')).toBe(0);
  });

  it('a large body goes alone; batch off sends every write alone', async () => {
    const server = batchingServer();
    const { log, outbox } = await taught(server);
    await log.entries.append(draft('PUT', '/api/todos/1', { text: 'x'.repeat(70_000) }));
    await log.entries.append(draft('PATCH', '/api/todos/2', { r: 2 }));
    await log.entries.append(draft('PATCH', '/api/todos/3', { r: 3 }));
    await outbox.scheduler.kick();
    expect(batches(server)).toEqual([['PATCH /api/todos/2', 'PATCH /api/todos/3']]);
    expect(server.sent.filter((sent) => sent.url.endsWith('/todos/1')).map((sent) => sent.method)).toEqual(['PUT']);

    const unbatched = batchingServer();
    const engine = await taught(unbatched, { batch: 'off' });
    for (let r = 1; r <= 3; r++) await engine.log.entries.append(draft('PATCH', `/api/todos/${r}`, { r }));
    await engine.outbox.scheduler.kick();
    expect(batches(unbatched)).toEqual([]);
  });
});

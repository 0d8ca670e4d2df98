// @vitest-environment node
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { batchContentType, batchHandler, decodeBatchAnswer, encodeBatch, exactlyOnce, finalOutcome, fingerprintOf, memoryStore, strongETag } from '../../server';
import type { BatchWrite, ExactlyOnceOptions, IdempotencyStore } from '../../server';
import { bytesOnlyOf } from '../../server/byte-answers';
import { knownBody } from '../../server/known-body';
import { nodeHandler } from '../../server/node';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A tiny app: POST /notes creates, PATCH /notes/:id edits with If-Match; `applied` counts effects. */
function notesApp(options: Partial<ExactlyOnceOptions<undefined>> = {}) {
  const store: IdempotencyStore<undefined> = options.store ?? memoryStore();
  const notes = new Map<string, { text: string; version: number }>([['1', { text: 'first', version: 1 }]]);
  let applied = 0;
  let gate: Promise<void> = Promise.resolve();
  const represent = (id: string, status = 200) => {
    const note = notes.get(id)!;
    return Response.json(note, { status, headers: { ETag: strongETag(note.version) } });
  };
  const handle = exactlyOnce<undefined>(
    async (request) => {
      await gate;
      const url = new URL(request.url);
      const id = url.pathname.split('/')[2];
      if (url.pathname === '/fail') return new Response('down', { status: 503 });
      if (url.pathname === '/throw') throw new Error('boom');
      if (request.method === 'GET') return represent(id ?? '');
      applied += 1;
      if (request.method === 'POST') {
        const created = String(notes.size + 1);
        notes.set(created, { text: ((await request.json()) as { text: string }).text, version: 1 });
        return represent(created, 201);
      }
      const note = notes.get(id ?? '');
      if (note === undefined) {
        notes.set(id ?? '', { text: await request.text(), version: 1 });
        return represent(id ?? '', 201);
      }
      notes.set(id ?? '', { text: await request.text(), version: note.version + 1 });
      return represent(id ?? '');
    },
    {
      store,
      scope: (request) => request.headers.get('authorization') ?? '',
      conditions: (request) => {
        const id = new URL(request.url).pathname.split('/')[2];
        if (!new URL(request.url).pathname.startsWith('/notes/') || id === undefined) return undefined;
        return {
          required: request.headers.get('x-require') === '1',
          load: async () => {
            const note = notes.get(id);
            return note === undefined ? null : { version: note.version, representation: () => represent(id) };
          },
        };
      },
      ...options,
    },
  );
  const send = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
    handle(new Request(`http://app.test${path}`, { method, headers, ...(body === undefined ? {} : { body }) }));
  return {
    send,
    handle,
    store,
    applied: () => applied,
    hold: () => {
      let release = () => undefined as void;
      gate = new Promise<void>((resolve) => (release = resolve));
      return () => release();
    },
  };
}

const key = (value: string) => ({ 'Idempotency-Key': `"${value}"` });

describe('exactlyOnce: Idempotency-Key', () => {
  let app = notesApp();
  afterEach(async () => {
    await app.store.close();
    app = notesApp();
  });

  it('replays a finished request with Idempotent-Replayed, without running the handler again', async () => {
    const first = await app.send('POST', '/notes', '{"text":"a"}', key('k1'));
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await app.send('POST', '/notes', '{"text":"a"}', key('k1'));
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(await again.text()).toBe(await first.clone().text());
    expect(app.applied()).toBe(1);
  });

  it('answers 422 problem+json when a key comes back with another method, path or body', async () => {
    await app.send('POST', '/notes', '{"text":"a"}', key('k2'));
    for (const [method, path, body] of [['POST', '/notes', '{"text":"b"}'], ['POST', '/notes?x=1', '{"text":"a"}'], ['PUT', '/notes', '{"text":"a"}']] as const) {
      const res = await app.send(method, path, body, key('k2'));
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await res.json()).toMatchObject({ status: 422, detail: expect.stringContaining('different request') });
    }
    expect(app.applied()).toBe(1);
  });

  it('answers 409 with Retry-After while the first delivery still runs, then replays', async () => {
    const release = app.hold();
    const first = app.send('POST', '/notes', '{"text":"a"}', key('k3'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await app.send('POST', '/notes', '{"text":"a"}', key('k3'));
    expect(second.status).toBe(409);
    expect(second.headers.get('retry-after')).toBe('1');
    release();
    expect((await first).status).toBe(201);
    expect((await app.send('POST', '/notes', '{"text":"a"}', key('k3'))).headers.get('idempotent-replayed')).toBe('true');
    expect(app.applied()).toBe(1);
  });

  it('refuses malformed and over-long keys with 400 before running anything', async () => {
    for (const bad of ['bare-token', '"unterminated', '"bad\\x"', '""', `"${'k'.repeat(256)}"`, '"ok" junk', '"tab\there"']) {
      const res = await app.send('POST', '/notes', '{"text":"a"}', { 'Idempotency-Key': bad });
      expect(res.status, bad).toBe(400);
      expect(((await res.json()) as { detail: string }).detail).toMatch(/Idempotency-Key/);
    }
    expect((await app.send('POST', '/notes', '{"text":"a"}', { 'Idempotency-Key': '"esc\\"aped\\\\";p=1' })).status).toBe(201);
    expect(app.applied()).toBe(1);
  });

  it('reads a quoted key the same with or without escapes and parameters around it', async () => {
    await app.send('POST', '/notes', '{"text":"a"}', key('k-10'));
    await app.send('POST', '/notes', '{"text":"a"}', { 'Idempotency-Key': '"k\\"10"' });
    for (const same of [' "k-10" ', '"k-10";p=1', '"k\\"10";p=1', ' "k\\"10"']) {
      const res = await app.send('POST', '/notes', '{"text":"a"}', { 'Idempotency-Key': same });
      expect(res.headers.get('idempotent-replayed'), same).toBe('true');
    }
    expect(app.applied()).toBe(2);
  });

  it('fingerprints the method, path, query and body, not the fragment or an empty query', () => {
    const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
    const body = new TextEncoder().encode('{"text":"a"}');
    for (const url of ['http://app.test/notes', 'http://app.test/notes?', 'http://app.test/notes?#f', 'https://app.test:8443/a/../n%20b?q=1?2#f', 'http://app.test/n??', 'http://[::1]/é?é']) {
      const parsed = new URL(url);
      const expected = sha256(`PUT\0${parsed.pathname}${parsed.search}\0${sha256(body)}`);
      expect(fingerprintOf(new Request(url, { method: 'PUT', body }), body), url).toBe(expected);
    }
  });

  it('gives its own answers a body, and the Node adapter the same bytes noted with none', async () => {
    const direct = await app.send('POST', '/notes', '{"text":"a"}', key('k-11'));
    const twin = bytesOnlyOf(app.handle).handler;
    expect(twin).not.toBe(app.handle);
    const replayed = await twin(new Request('http://app.test/notes', { method: 'POST', headers: key('k-11'), body: '{"text":"a"}' }));
    expect([replayed.status, replayed.headers.get('idempotent-replayed'), replayed.body]).toEqual([201, 'true', null]);
    expect(new TextDecoder().decode(knownBody(replayed))).toBe(await direct.text());
    const plain = async (request: Request) => new Response(request.body);
    expect(bytesOnlyOf(plain)).toEqual({ handler: plain, headers: [] });
  });

  it('serves an answer whose headers cannot change (a fetched one) over node:http with its bytes and the batch URL, and replays it', async () => {
    const proxy = exactlyOnce<undefined>(async () => fetch('data:text/plain,from%20upstream'), { store: memoryStore() });
    const server = createServer(nodeHandler(proxy));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/proxy`;
      const send = async () => {
        const res = await fetch(url, { method: 'POST', headers: key('k-up'), body: 'x' });
        return [res.status, res.headers.get('outbox-batch'), res.headers.get('idempotent-replayed'), await res.text()];
      };
      expect(await send()).toEqual([200, '</api/$batch>', null, 'from upstream']);
      expect(await send()).toEqual([200, '</api/$batch>', 'true', 'from upstream']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('accepts bare keys only when told to', async () => {
    const lenient = notesApp({ bareKeys: true });
    expect((await lenient.send('POST', '/notes', '{"text":"a"}', { 'Idempotency-Key': 'bare-1' })).status).toBe(201);
    expect((await lenient.send('POST', '/notes', '{"text":"a"}', key('bare-1'))).headers.get('idempotent-replayed')).toBe('true');
    expect((await lenient.send('POST', '/notes', '{"text":"a"}', { 'Idempotency-Key': 'has space' })).status).toBe(400);
  });

  it('answers 400 when a route requires a key and none came; other routes run without one', async () => {
    const strict = notesApp({ keys: (request) => (request.method === 'POST' ? 'required' : 'optional') });
    const res = await strict.send('POST', '/notes', '{"text":"a"}');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toContain('needs an Idempotency-Key');
    expect((await strict.send('PATCH', '/notes/1', 'x')).status).toBe(200);
    expect(strict.applied()).toBe(1);
  });

  it('keeps keys apart per scope', async () => {
    await app.send('POST', '/notes', '{"text":"a"}', { ...key('k4'), Authorization: 'alice' });
    const bob = await app.send('POST', '/notes', '{"text":"a"}', { ...key('k4'), Authorization: 'bob' });
    expect(bob.headers.get('idempotent-replayed')).toBeNull();
    expect(app.applied()).toBe(2);
  });

  it('never keeps a 5xx or a thrown handler: the retry runs again', async () => {
    expect((await app.send('POST', '/fail', '', key('k5'))).status).toBe(503);
    expect((await app.send('POST', '/fail', '', key('k5'))).headers.get('idempotent-replayed')).toBeNull();
    await expect(app.send('POST', '/throw', '', key('k6'))).rejects.toThrow('boom');
    await expect(app.send('POST', '/throw', '', key('k6'))).rejects.toThrow('boom');
  });

  it('by default keeps 2xx and the final 4xx, never 408, 409, 425, 429 or a 5xx', () => {
    expect([200, 201, 204, 400, 404, 412, 422].every(finalOutcome)).toBe(true);
    expect([408, 409, 425, 429, 500, 503, 302].some(finalOutcome)).toBe(false);
  });

  it('keeps only what `keep` says', async () => {
    const keepNothing = notesApp({ keep: () => false });
    await keepNothing.send('POST', '/notes', '{"text":"a"}', key('k7'));
    await keepNothing.send('POST', '/notes', '{"text":"a"}', key('k7'));
    expect(keepNothing.applied()).toBe(2);
  });

  it('forgets keys after their time to live, and cleanup removes them', async () => {
    const store = memoryStore({ ttlMs: 30 });
    const shortLived = notesApp({ store });
    await shortLived.send('POST', '/notes', '{"text":"a"}', key('k8'));
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(await store.cleanup()).toBe(1);
    expect((await shortLived.send('POST', '/notes', '{"text":"a"}', key('k8'))).headers.get('idempotent-replayed')).toBeNull();
    expect(shortLived.applied()).toBe(2);
    await store.close();
  });

  it('writes its errors through the app\'s renderer when given one', async () => {
    const custom = notesApp({ problem: (problem) => Response.json({ error: problem.detail }, { status: problem.status }) });
    await custom.send('POST', '/notes', '{"text":"a"}', key('k9'));
    const res = await custom.send('POST', '/notes', '{"text":"b"}', key('k9'));
    expect(res.status).toBe(422);
    expect(Object.keys((await res.json()) as object)).toEqual(['error']);
  });
});

describe('exactlyOnce: conditional writes', () => {
  const app = notesApp();

  it('runs a write whose If-Match is the current strong ETag, and answers with the new one', async () => {
    const res = await app.send('PATCH', '/notes/1', 'second', { 'If-Match': '"1"' });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"2"');
  });

  it('answers a stale If-Match 412 with the current representation, before the handler', async () => {
    const before = app.applied();
    const res = await app.send('PATCH', '/notes/1', 'stale', { 'If-Match': '"1"' });
    expect(res.status).toBe(412);
    expect(res.headers.get('etag')).toBe('"2"');
    expect(await res.json()).toEqual({ text: 'second', version: 2 });
    expect(app.applied()).toBe(before);
  });

  it('never lets a weak ETag satisfy If-Match', async () => {
    expect((await app.send('PATCH', '/notes/1', 'weak', { 'If-Match': 'W/"2"' })).status).toBe(412);
    expect((await app.send('PATCH', '/notes/1', 'list', { 'If-Match': '"9", "2"' })).status).toBe(200);
  });

  it('creates with If-None-Match: * only when absent', async () => {
    expect((await app.send('PUT', '/notes/new', 'made', { 'If-None-Match': '*' })).status).toBe(201);
    const again = await app.send('PUT', '/notes/new', 'made again', { 'If-None-Match': '*' });
    expect(again.status).toBe(412);
    expect(await again.json()).toMatchObject({ text: 'made' });
  });

  it('answers If-Match on a missing resource 412, and 428 where a precondition is required', async () => {
    expect((await app.send('PATCH', '/notes/none', 'x', { 'If-Match': '*' })).status).toBe(412);
    const required = await app.send('PATCH', '/notes/1', 'x', { 'x-require': '1' });
    expect(required.status).toBe(428);
    expect(required.headers.get('content-type')).toBe('application/problem+json');
  });

  it('leaves If-None-Match on reads alone (a cache\'s 304, not a 412)', async () => {
    expect((await app.send('GET', '/notes/1', undefined, { 'If-None-Match': '"2"' })).status).toBe(200);
  });

  it('replays a keyed conditional write even though its If-Match is stale now', async () => {
    const first = await app.send('PATCH', '/notes/1', 'keyed', { ...key('c1'), 'If-Match': '"3"' });
    expect(first.status).toBe(200);
    const again = await app.send('PATCH', '/notes/1', 'keyed', { ...key('c1'), 'If-Match': '"3"' });
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });
});

describe('exactlyOnce: batches', () => {
  const batchOf = (writes: BatchWrite[], headers: Record<string, string> = {}) =>
    new Request('http://app.test/api/$batch', { method: 'POST', headers: { 'Content-Type': batchContentType, ...headers }, body: encodeBatch(writes) });
  const note = (id: string, method: string, path: string, text: string, headers: Record<string, string> = {}): BatchWrite => ({
    id,
    method,
    url: path,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: new TextEncoder().encode(JSON.stringify({ text })),
  });
  const answered = async (response: Response) => decodeBatchAnswer(await response.text());

  it('judges every write as the caller who sent the batch: its credentials, its scope', async () => {
    const app = notesApp();
    const writes = [note('1', 'POST', '/notes', 'a', key('shared'))];
    const alice = await answered(await app.handle(batchOf(writes, { Authorization: 'alice' })));
    const bob = await answered(await app.handle(batchOf(writes, { Authorization: 'bob' })));
    const aliceAgain = await answered(await app.handle(batchOf(writes, { Authorization: 'alice' })));
    expect([alice[0]!.status, bob[0]!.status, aliceAgain[0]!.status]).toEqual([201, 201, 201]);
    expect([alice[0]!.headers['idempotent-replayed'], bob[0]!.headers['idempotent-replayed'], aliceAgain[0]!.headers['idempotent-replayed']]).toEqual([undefined, undefined, 'true']);
    expect(app.applied()).toBe(2);
    await app.store.close();
  });

  it('answers a write whose handler throws 500, and goes on with the next', async () => {
    const app = notesApp();
    const results = await answered(await app.handle(batchOf([note('a', 'POST', '/notes', 'one', key('t1')), note('b', 'POST', '/throw', 'x', key('t2')), note('c', 'POST', '/notes', 'two', key('t3'))])));
    expect(results.map((result) => result.status)).toEqual([201, 500, 201]);
    expect(app.applied()).toBe(2);
    await app.store.close();
  });

  it('takes its limits from `batch`, and sends writes to the same handler', async () => {
    const app = notesApp({ batch: { path: '/bulk', maxWrites: 2 } });
    const three = [note('a', 'POST', '/notes', '1'), note('b', 'POST', '/notes', '2'), note('c', 'POST', '/notes', '3')];
    const request = (writes: BatchWrite[]) => new Request('http://app.test/bulk', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: encodeBatch(writes) });
    const refused = await app.handle(request(three));
    expect([refused.status, ((await refused.json()) as { maxWrites: number }).maxWrites]).toEqual([413, 2]);
    expect((await answered(await app.handle(request(three.slice(0, 2))))).map((result) => result.status)).toEqual([201, 201]);
    expect((await app.send('GET', '/notes/1')).headers.get('outbox-batch')).toBe('</bulk>');
    await app.store.close();
  });

  it('with batching off, leaves the batch path to the app and names no batch URL', async () => {
    const app = notesApp({ batch: false });
    const res = await app.handle(batchOf([note('1', 'POST', '/notes', 'a')]));
    expect(res.headers.get('outbox-batch')).toBeNull();
    expect(res.headers.get('content-type')).not.toBe(batchContentType);
    expect((await app.send('GET', '/notes/1')).headers.get('outbox-batch')).toBeNull();
    await app.store.close();
  });
});

describe('batchHandler', () => {
  it('answers a batch through any Fetch handler, for a server that routes its batch URL itself', async () => {
    const seen: string[] = [];
    const handle = batchHandler(async (request) => {
      seen.push(`${request.method} ${new URL(request.url).pathname} ${request.headers.get('cookie')} ${await request.text()}`);
      return new Response(null, { status: 204, headers: { 'Set-Cookie': 'seen=1' } });
    });
    const body = encodeBatch([{ id: 'x', method: 'DELETE', url: '/api/todos/7', headers: {}, body: new Uint8Array() }]);
    const res = await handle(new Request('http://app.test/api/$batch', { method: 'POST', headers: { 'Content-Type': batchContentType, Cookie: 'session=s' }, body }));
    expect([res.status, res.headers.get('outbox-batch'), res.headers.getSetCookie()]).toEqual([200, '</api/$batch>', ['seen=1']]);
    expect(seen).toEqual(['DELETE /api/todos/7 session=s ']);
    expect((await decodeBatchAnswer(await res.text()))[0]).toMatchObject({ id: 'x', status: 204, headers: {} });
  });
});

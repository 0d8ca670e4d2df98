// @vitest-environment node
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { batchContentType, decodeBatchAnswer, encodeBatch, fingerprintOf } from '../server';
import { pgliteStore } from '../server/pglite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer } from '../demo/server/server';
import type { RunningServer, ServerOptions } from '../demo/server/server';
import { KEYS_TABLE } from '../demo/server/db';
import type { Todo, WriteRecord } from '../demo/server/db';

const dataDir = mkdtempSync(path.join(tmpdir(), 'sw-outbox-demo-server-'));
let server: RunningServer;

function url(pathname: string): string {
  return new URL(pathname, server.url).href;
}

function send(method: string, pathname: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers = { 'Content-Type': 'application/json', ...headers };
  }
  return fetch(url(pathname), init);
}

function rawGetStatus(rawPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpGet({ host: '127.0.0.1', port: server.port, path: rawPath }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    request.on('error', reject);
  });
}

/** Stops the server and starts it again on the same data folder, as a process restart would. */
async function restart(options: Omit<ServerOptions, 'dataDir'>): Promise<void> {
  await server.close();
  server = await startServer({ port: 0, ...options, dataDir });
}

async function createTodo(title: string, extra: Record<string, unknown> = {}): Promise<Todo> {
  const res = await send('POST', '/api/todos', { title, ...extra });
  expect(res.status).toBe(201);
  return (await res.json()) as Todo;
}

async function writes(): Promise<WriteRecord[]> {
  return (await (await fetch(url('/__test/writes'))).json()) as WriteRecord[];
}

async function setFaults(faults: unknown): Promise<void> {
  const res = await send('POST', '/__test/faults', faults);
  expect(res.status).toBe(204);
}

describe('demo reference server', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    server = await startServer({ port: 0, dataDir, testHooks: true });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  beforeEach(async () => {
    expect((await send('POST', '/__test/reset')).status).toBe(204);
  });

  it('creates a todo with Location and ETag, ignoring client ids and versions, and reads it back', async () => {
    const res = await send('POST', '/api/todos', { id: 'tmp-1', version: 7, title: 'Buy milk', extra: true });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('location')).toBe('/api/todos/1');
    expect(res.headers.get('etag')).toBe('"1"');
    const created = (await res.json()) as Todo;
    expect(created).toMatchObject({ id: 1, title: 'Buy milk', done: false, notes: '', version: 1 });
    expect(Object.keys(created).sort()).toEqual(['createdAt', 'done', 'id', 'notes', 'title', 'updatedAt', 'version']);

    const got = await fetch(url('/api/todos/1'));
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe('"1"');
    expect(await got.json()).toEqual(created);

    const list = await fetch(url('/api/todos'));
    expect(await list.json()).toEqual([created]);
  });

  it('keeps an attachment byte for byte with its content type, and audits the upload', async () => {
    const todo = await createTodo('with a file');
    const bytes = Buffer.from([0, 1, 2, 250, 255, 10, 13]);
    const res = await fetch(url(`/api/todos/${todo.id}/attachments`), { method: 'POST', headers: { 'Content-Type': 'application/x-custom; v=1' }, body: bytes });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: number; size: number };
    expect(created.size).toBe(7);
    const stored = (await (await fetch(url(res.headers.get('location')!))).json()) as { contentType: string; base64: string };
    expect(stored.contentType).toBe('application/x-custom; v=1');
    expect(Buffer.from(stored.base64, 'base64').equals(bytes)).toBe(true);
    expect((await writes()).map((write) => write.path)).toEqual(['/api/todos', `/api/todos/${todo.id}/attachments`]);
    expect((await fetch(url('/api/todos/999/attachments'), { method: 'POST', body: 'x' })).status).toBe(404);
  });

  it('patches, replaces and deletes, bumping the version each time', async () => {
    const todo = await createTodo('Walk');
    const patched = await send('PATCH', `/api/todos/${todo.id}`, { done: true }, { 'If-Match': '"1"' });
    expect(patched.status).toBe(200);
    expect(patched.headers.get('etag')).toBe('"2"');
    expect(await patched.json()).toMatchObject({ title: 'Walk', done: true, version: 2 });

    // A weak ETag never satisfies If-Match (RFC 9110's strong comparison).
    expect((await send('PUT', `/api/todos/${todo.id}`, { title: 'Run' }, { 'If-Match': 'W/"2"' })).status).toBe(412);
    const replaced = await send('PUT', `/api/todos/${todo.id}`, { title: 'Run' }, { 'If-Match': '"2"' });
    expect(replaced.status).toBe(200);
    expect(await replaced.json()).toMatchObject({ title: 'Run', done: false, notes: '', version: 3 });

    const deleted = await send('DELETE', `/api/todos/${todo.id}`, undefined, { 'If-Match': '*' });
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');
    const gone = await fetch(url(`/api/todos/${todo.id}`));
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ error: 'not found' });
  });

  it('answers a stale If-Match with 412 and the current representation', async () => {
    const todo = await createTodo('Stale');
    await send('PATCH', `/api/todos/${todo.id}`, { notes: 'first' });
    const res = await send('PATCH', `/api/todos/${todo.id}`, { notes: 'second' }, { 'If-Match': '"1"' });
    expect(res.status).toBe(412);
    expect(res.headers.get('etag')).toBe('"2"');
    expect(await res.json()).toMatchObject({ id: todo.id, notes: 'first', version: 2 });
    expect((await writes()).map((w) => w.method)).toEqual(['POST', 'PATCH']);
  });

  it('answers a stale body version with 409, the current representation and no Retry-After', async () => {
    const todo = await createTodo('Versioned');
    await send('PATCH', `/api/todos/${todo.id}`, { done: true, version: 1 });
    const res = await send('PUT', `/api/todos/${todo.id}`, { title: 'Mine', version: 1 });
    expect(res.status).toBe(409);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(res.headers.get('etag')).toBe('"2"');
    expect(await res.json()).toMatchObject({ title: 'Versioned', done: true, version: 2 });
  });

  it('rejects malformed JSON, invalid fields, non-JSON bodies and unknown paths', async () => {
    const malformed = await send('POST', '/api/todos', '{"title":');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ error: 'malformed JSON' });
    expect((await send('POST', '/api/todos', { title: '' })).status).toBe(422);
    expect((await send('POST', '/api/todos', { title: 'x', done: 'yes' })).status).toBe(422);
    const plain = await fetch(url('/api/todos'), { method: 'POST', body: 'title=x', headers: { 'Content-Type': 'text/plain' } });
    expect(plain.status).toBe(415);
    const unknown = await fetch(url('/api/nope'));
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect((await send('PATCH', '/api/todos/tmp-123', { done: true })).status).toBe(404);
    expect(await writes()).toEqual([]);
  });

  it('replays an idempotent request byte for byte and applies it only once', async () => {
    const headers = { 'Idempotency-Key': 'key-replay' };
    const first = await send('POST', '/api/todos', { title: 'Once' }, headers);
    const firstBody = await first.text();
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const again = await send('POST', '/api/todos', { title: 'Once' }, headers);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(await again.text()).toBe(firstBody);

    expect(await (await fetch(url('/api/todos'))).json()).toHaveLength(1);
    const log = await writes();
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ method: 'POST', path: '/api/todos', idempotencyKey: 'key-replay', status: 201 });
  });

  it('answers a batch through the kit: each write applied once, in order, and replayed when the batch comes again', async () => {
    const todo = await createTodo('Batched');
    const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
    const batch = encodeBatch([
      { id: 'new', method: 'POST', url: '/api/todos', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'b-new' }, body: json({ title: 'Second' }) },
      { id: 'edit', method: 'PATCH', url: `/api/todos/${todo.id}`, headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'b-edit', 'If-Match': `"${todo.version}"` }, body: json({ done: true }) },
      { id: 'stale', method: 'PATCH', url: `/api/todos/${todo.id}`, headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'b-stale', 'If-Match': `"${todo.version}"` }, body: json({ title: 'Lost' }) },
    ]);
    const post = () => fetch(url('/api/$batch'), { method: 'POST', headers: { 'Content-Type': batchContentType }, body: batch });
    const first = decodeBatchAnswer(await (await post()).text());
    expect(first.map((result) => [result.id, result.status])).toEqual([['new', 201], ['edit', 200], ['stale', 412]]);
    const again = decodeBatchAnswer(await (await post()).text());
    expect(again.map((result) => [result.status, result.headers['idempotent-replayed']])).toEqual([[201, 'true'], [200, 'true'], [412, 'true']]);
    expect(await writes()).toHaveLength(3);
    expect((await fetch(url('/api/todos'))).headers.get('outbox-batch')).toBe('</api/$batch>');
  });

  it('refuses an Idempotency-Key reused with a different payload', async () => {
    await send('POST', '/api/todos', { title: 'A' }, { 'Idempotency-Key': 'key-reuse' });
    const res = await send('POST', '/api/todos', { title: 'B' }, { 'Idempotency-Key': 'key-reuse' });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ error: 'Idempotency-Key reused with a different request' });
    expect(await writes()).toHaveLength(1);
  });

  it('answers 409 with Retry-After while the same key is still in flight', async () => {
    await setFaults({ delayMs: 800 });
    const headers = { 'Idempotency-Key': 'key-inflight' };
    const first = send('POST', '/api/todos', { title: 'Slow' }, headers);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const second = await send('POST', '/api/todos', { title: 'Slow' }, headers);
    expect(second.status).toBe(409);
    expect(second.headers.get('retry-after')).toBe('1');
    expect(await second.json()).toHaveProperty('error');

    expect((await first).status).toBe(201);
    await setFaults({});
    const replay = await send('POST', '/api/todos', { title: 'Slow' }, headers);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await writes()).toHaveLength(1);
  });

  it('answers injected failures without applying or storing anything', async () => {
    await setFaults({ fail: { count: 2, status: 503, retryAfter: '3' } });
    const headers = { 'Idempotency-Key': 'key-fault' };
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const res = await send('POST', '/api/todos', { title: 'Flaky' }, headers);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('3');
    }
    expect(await (await fetch(url('/__test/faults'))).json()).toEqual({});
    expect(await (await fetch(url('/api/todos'))).json()).toEqual([]);
    expect(await writes()).toEqual([]);

    const third = await send('POST', '/api/todos', { title: 'Flaky' }, headers);
    expect(third.status).toBe(201);
    expect(third.headers.get('idempotent-replayed')).toBeNull();
    expect(await writes()).toHaveLength(1);
  });

  it('keeps todos, stored responses and the audit log across a restart', async () => {
    const created = await send('POST', '/api/todos', { title: 'Durable' }, { 'Idempotency-Key': 'key-durable' });
    const createdBody = await created.text();
    await restart({ testHooks: true });

    expect(await (await fetch(url('/api/todos'))).json()).toEqual([JSON.parse(createdBody)]);
    const replay = await send('POST', '/api/todos', { title: 'Durable' }, { 'Idempotency-Key': 'key-durable' });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.text()).toBe(createdBody);
    expect(await writes()).toHaveLength(1);
  });

  it('takes over an in-flight marker left behind by a crashed process', async () => {
    await server.close();
    // What a process killed between claiming a key and committing its write leaves behind.
    const db = new PGlite(dataDir);
    const keys = await pgliteStore({ db, table: KEYS_TABLE });
    const body = JSON.stringify({ title: 'Recovered' });
    const fingerprint = fingerprintOf(new Request(url('/api/todos'), { method: 'POST', body }), new TextEncoder().encode(body));
    expect((await keys.claim({ scope: '', key: 'key-orphan', fingerprint })).kind).toBe('claimed');
    await keys.close();
    await db.close();
    server = await startServer({ port: 0, dataDir, testHooks: true });

    const res = await send('POST', '/api/todos', { title: 'Recovered' }, { 'Idempotency-Key': 'key-orphan' });
    expect(res.status).toBe(201);
    const again = await send('POST', '/api/todos', { title: 'Recovered' }, { 'Idempotency-Key': 'key-orphan' });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await writes()).toHaveLength(1);
  });

  it('without test hooks, hides /__test/ and serves static files safely', async () => {
    const staticDir = mkdtempSync(path.join(tmpdir(), 'sw-outbox-demo-static-'));
    writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>demo</title>');
    writeFileSync(path.join(staticDir, 'outbox-sw.js'), 'self.addEventListener("fetch", () => {});');
    await restart({ testHooks: false, staticDirs: [path.join(staticDir, 'missing'), staticDir] });
    try {
      expect((await fetch(url('/__test/writes'))).status).toBe(404);

      const page = await fetch(url('/'));
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(page.headers.get('cache-control')).toBe('no-cache');

      const worker = await fetch(url('/outbox-sw.js'));
      expect(worker.headers.get('service-worker-allowed')).toBe('/');
      expect(worker.headers.get('content-type')).toBe('text/javascript; charset=utf-8');

      // Raw paths, because fetch would normalise the dot segments away before sending.
      for (const probe of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2f..%2fetc%2fpasswd', '/nope.html']) {
        expect(await rawGetStatus(probe)).toBe(404);
      }
    } finally {
      await restart({ testHooks: true });
      rmSync(staticDir, { recursive: true, force: true });
    }
  });
});

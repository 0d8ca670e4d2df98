import { describe, expect, it } from 'vitest';
import { captureWrite } from '../sw/intercept/capture';
import { resolveConfig } from '../protocol';

const config = resolveConfig();
const [route] = config.routes;

function write(method: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  return new Request(`http://app.test${path}`, { method, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

describe('taking a write', () => {
  it('keeps the bytes and content type, and no credentials', async () => {
    const captured = await captureWrite(write('PATCH', '/api/todos/3', { done: true }, { Authorization: 'Bearer secret', Cookie: 'sid=1', 'X-Trace': 't' }), config, route!, 0);
    if (!captured.ok) throw new Error(captured.reason);
    expect(new TextDecoder().decode(captured.draft.body!)).toBe('{"done":true}');
    expect(captured.draft.contentType).toBe('application/json');
    expect(captured.draft.headers.map(([name]) => name).sort()).toEqual(['content-type', 'x-trace']);
    // A live send may use them: they stay in memory only.
    expect(captured.liveHeaders.map(([name]) => name).sort()).toEqual(['authorization', 'content-type', 'cookie', 'x-trace']);
  });

  it('gives a create a temporary id and its own resource, and keeps a client id when the page chose one', async () => {
    const created = await captureWrite(write('POST', '/api/todos', { title: 'x' }), config, route!, 0);
    const named = await captureWrite(write('POST', '/api/todos', { id: 'c-1', title: 'x' }), config, route!, 0);
    if (!created.ok || !named.ok) throw new Error('not taken');
    expect(created.draft.tempId).toMatch(/^tmp-/);
    expect(created.draft.resource).toBe(`http://app.test/api/todos/${created.draft.tempId}`);
    expect(named.draft).toMatchObject({ tempId: null, resource: 'http://app.test/api/todos/c-1' });
  });

  it('takes the page\'s version and base representation, and sends neither header on', async () => {
    const captured = await captureWrite(
      write('PATCH', '/api/todos/3', { done: true }, { 'If-Match': '"4"', 'Outbox-Base': '{"title":"seen","done":false}' }), config, route!, 0,
    );
    if (!captured.ok) throw new Error(captured.reason);
    expect(captured.draft).toMatchObject({ requestedBase: '"4"', baseRepresentation: { title: 'seen', done: false } });
    expect(captured.liveHeaders.map(([name]) => name)).toEqual(['content-type']);
  });

  it('refuses a body over the cap, handing back a request that can still be sent', async () => {
    const small = resolveConfig({ maxBodyBytes: 8 });
    const captured = await captureWrite(write('POST', '/api/todos', { title: 'far too long' }), small, small.routes[0]!, 0);
    expect(captured).toMatchObject({ ok: false, reason: 'body-too-large' });
    if (captured.ok) return;
    expect(await captured.request.text()).toBe('{"title":"far too long"}');
  });

  it('refuses a body the page made from a stream, leaving it unread for the network', async () => {
    const config = resolveConfig();
    const stream = new ReadableStream<Uint8Array>({ start: (controller) => (controller.enqueue(new TextEncoder().encode('{"title":"streamed"}')), controller.close()) });
    const request = new Request('http://app.test/api/todos/1', { method: 'PATCH', body: stream, duplex: 'half', headers: { 'Content-Type': 'application/json' } } as RequestInit);
    const captured = await captureWrite(request, config, config.routes[0]!, 0);
    expect(captured).toMatchObject({ ok: false, reason: 'streaming-body' });
    if (captured.ok) return;
    expect(captured.request.bodyUsed).toBe(false);
    expect(await captured.request.text()).toBe('{"title":"streamed"}');
  });
});

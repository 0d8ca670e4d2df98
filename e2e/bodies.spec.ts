import { test, expect } from '@playwright/test';
import { DemoServer, openDropIn, waitForDrain } from './outbox';

let server: DemoServer;

test.beforeEach(async ({ request }) => {
  server = new DemoServer(request);
  await server.reset();
});

test('bodies of every kind are queued offline and replayed byte for byte, with their Content-Type', async ({ page, context, request }) => {
  const todo = await server.create('with attachments');
  await openDropIn(page);
  await context.setOffline(true);
  // Each body goes out as a Request built once in the page: its bytes and Content-Type (a multipart
  // boundary included) are exactly what the browser would send, and what the server must receive.
  const sent = await page.evaluate(async (url) => {
    const file = new Blob([new Uint8Array([0, 1, 2, 250, 255])], { type: 'image/x-test' });
    const form = new FormData();
    form.append('caption', 'holiday');
    form.append('file', file, 'photo.bin');
    const bodies: [string, BodyInit | null, Record<string, string>][] = [
      ['json', JSON.stringify({ note: 'ü' }), { 'Content-Type': 'application/json' }],
      ['text', 'plain text, ünïcode', { 'Content-Type': 'text/plain;charset=UTF-8' }],
      ['form-data', form, {}],
      ['blob', file, {}],
      ['array-buffer', new Uint8Array([9, 8, 7, 0, 6]).buffer, {}],
      ['url-search-params', new URLSearchParams({ a: '1', b: 'two words' }), {}],
      ['empty', null, {}],
    ];
    const results = [];
    for (const [kind, body, headers] of bodies) {
      const request = new Request(url, { method: 'POST', body, headers });
      const bytes = new Uint8Array(await request.clone().arrayBuffer());
      const response = await fetch(request);
      results.push({ kind, status: response.status, contentType: request.headers.get('content-type') ?? 'application/octet-stream', base64: btoa(String.fromCharCode(...bytes)) });
    }
    return results;
  }, `/api/todos/${todo.id}/attachments`);
  expect(sent.map((body) => body.status)).toEqual(Array(sent.length).fill(202));
  expect(sent.find((body) => body.kind === 'form-data')?.contentType).toMatch(/^multipart\/form-data; boundary=/);

  await context.setOffline(false);
  await waitForDrain(page);
  const stored = [];
  for (let id = 1; id <= sent.length; id++) {
    const response = await request.get(`/api/attachments/${id}`);
    expect(response.status()).toBe(200);
    const { contentType, base64 } = (await response.json()) as { contentType: string; base64: string };
    stored.push(`${contentType} ${base64}`);
  }
  expect(stored.sort()).toEqual(sent.map((body) => `${body.contentType} ${body.base64}`).sort());
});

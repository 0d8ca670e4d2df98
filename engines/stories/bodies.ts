// Bodies of every kind a page can send, queued offline and replayed byte for byte.
import assert from 'node:assert/strict';
import { openOutboxPage, waitForDrain } from '../page';
import type { Story } from './story';

/**
 * The bytes of the page's form (a caption and a 5-byte file) in the multipart/form-data encoding
 * browsers use, with the boundary the engine chose (named in its Content-Type).
 */
function formDataBytes(contentType: string): Buffer {
  const boundary = /^multipart\/form-data; ?boundary=(.+)$/.exec(contentType)?.[1];
  assert.ok(boundary, `a FormData body is multipart with a boundary, got ${contentType}`);
  return Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="caption"\r\n\r\nholiday\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo.bin"\r\nContent-Type: image/x-test\r\n\r\n`),
    Buffer.from([0, 1, 2, 250, 255]),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}

export const bodies: Story = {
  name: '4 bodies of every kind (JSON, text, FormData with a file, Blob) replayed byte for byte',
  async run({ browser, server }) {
    const todo = await server.create('with attachments');
    await openOutboxPage(browser, '/engines.html');
    await browser.setOffline(true);
    // Each body goes out as a Request built once in the page: its bytes and Content-Type are what
    // this engine sends, and what the server must receive. A multipart body is not read back in
    // the page (WebKitGTK never finishes reading a Request whose FormData holds a file): its
    // bytes are the form-data encoding with the engine's own boundary, built below.
    const sent = await browser.evaluate(async (url) => {
      const file = new Blob([new Uint8Array([0, 1, 2, 250, 255])], { type: 'image/x-test' });
      const form = new FormData();
      form.append('caption', 'holiday');
      form.append('file', file, 'photo.bin');
      const kinds: [string, BodyInit, Record<string, string>][] = [
        ['json', JSON.stringify({ note: 'ü' }), { 'Content-Type': 'application/json' }],
        ['text', 'plain text, ünïcode', { 'Content-Type': 'text/plain;charset=UTF-8' }],
        ['form-data', form, {}],
        ['blob', file, {}],
        ['array-buffer', new Uint8Array([9, 8, 7, 0, 6]).buffer, {}],
        ['url-search-params', new URLSearchParams({ a: '1', b: 'two words' }), {}],
      ];
      const results = [];
      for (const [kind, body, headers] of kinds) {
        const request = new Request(url, { method: 'POST', body, headers });
        const bytes = kind === 'form-data' ? null : new Uint8Array(await request.clone().arrayBuffer());
        const response = await fetch(request);
        const contentType = request.headers.get('content-type') ?? 'application/octet-stream';
        results.push({ kind, status: response.status, contentType, base64: bytes && btoa(String.fromCharCode(...bytes)) });
      }
      return results;
    }, `/api/todos/${todo.id}/attachments`);
    assert.deepEqual(sent.map((body) => [body.kind, body.status]), sent.map((body) => [body.kind, 202]));
    const form = sent.find((body) => body.kind === 'form-data')!;
    form.base64 = formDataBytes(form.contentType).toString('base64');

    await browser.setOffline(false);
    await waitForDrain(browser);
    const stored: string[] = [];
    for (let id = 1; id <= sent.length; id++) {
      const { contentType, base64 } = await server.attachment(id);
      stored.push(`${contentType} ${base64}`);
    }
    assert.deepEqual(stored.sort(), sent.map((body) => `${body.contentType} ${body.base64}`).sort());
  },
};

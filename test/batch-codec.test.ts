import { describe, expect, it } from 'vitest';
import {
  BatchFormatError,
  base64ToBytes,
  batchUrlFrom,
  bytesToBase64,
  decodeBatch,
  decodeBatchAnswer,
  encodeBatch,
  encodeBatchAnswer,
} from '../protocol/batch';
import type { BatchWrite, WireBatch } from '../protocol/batch';

const utf8 = (text: string) => new TextEncoder().encode(text);

/** Every byte value once, and the same again backwards: no UTF-8 reading survives it. */
const everyByte = new Uint8Array([...Array.from({ length: 256 }, (_, i) => i), ...Array.from({ length: 256 }, (_, i) => 255 - i)]);

const boundary = '----sw-outbox-7MA4YWxkTrZu0gW';
const multipart = utf8(
  `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nCafé ☕\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
);
const multipartWithBinary = new Uint8Array([...multipart, ...everyByte, ...utf8(`\r\n--${boundary}--\r\n`)]);

/** One write of each body kind, with the encoding each must travel in. */
const kinds: Array<[string, BatchWrite, string | undefined]> = [
  ['JSON as the browser writes it', write('json', 'application/json', utf8('{"title":"Milk","done":false,"n":1.5,"tags":["a"]}')), 'json'],
  ['JSON whose bytes JSON.stringify would change', write('json-spaced', 'application/json; charset=utf-8', utf8('{ "b": 1, "1": 2.50 }\n')), 'text'],
  ['a +json type', write('merge-patch', 'application/merge-patch+json', utf8('{"done":true}')), 'json'],
  ['text with a BOM, CRLF and non-ASCII', write('text', 'text/plain;charset=utf-8', utf8('\uFEFFligne 1\r\nligne 2 — ünïcödé 😀\u0000')), 'text'],
  ['multipart with its boundary, all text', write('form', `multipart/form-data; boundary=${boundary}`, utf8(`--${boundary}\r\n\r\nx\r\n--${boundary}--\r\n`)), 'text'],
  ['multipart carrying a binary file', write('form-file', `multipart/form-data; boundary=${boundary}`, multipartWithBinary), 'base64'],
  ['binary: all 256 byte values', write('binary', 'application/octet-stream', everyByte), 'base64'],
  ['JSON content type, bytes not UTF-8', write('bad-json', 'application/json', new Uint8Array([0x7b, 0xff, 0x7d])), 'base64'],
  ['an empty body', write('empty', undefined, new Uint8Array(0)), undefined],
];

function write(id: string, contentType: string | undefined, body: Uint8Array): BatchWrite {
  return { id, method: 'POST', url: `/api/${id}`, headers: { 'Idempotency-Key': `"${id}"`, ...(contentType === undefined ? {} : { 'Content-Type': contentType }) }, body };
}

describe('batch codec', () => {
  it.each(kinds)('round-trips %s byte for byte, in the encoding it needs', (_name, one, encoding) => {
    const text = encodeBatch([one]);
    expect((JSON.parse(text) as WireBatch).requests[0]!.encoding).toBe(encoding);
    const [back] = decodeBatch(text);
    expect(back).toEqual({ ...one, body: expect.any(Uint8Array) });
    expect([...back!.body]).toEqual([...one.body]);
  });

  it('keeps the order, methods, URLs and headers of every write', () => {
    const writes = kinds.map(([, one], index) => ({ ...one, method: ['POST', 'PUT', 'PATCH', 'DELETE'][index % 4]!, headers: { ...one.headers, 'If-Match': `"${index}"` } }));
    const back = decodeBatch(encodeBatch(writes));
    expect(back.map((one) => [one.id, one.method, one.url, one.headers])).toEqual(writes.map((one) => [one.id, one.method, one.url, one.headers]));
  });

  it('round-trips results: status, headers and every body kind', () => {
    const results = kinds.map(([, one], index) => ({ id: one.id, status: [200, 201, 204, 412, 503][index % 5]!, headers: { etag: `"${index}"`, ...lower(one.headers) }, body: one.body }));
    const back = decodeBatchAnswer(encodeBatchAnswer(results));
    expect(back.map((result) => [result.id, result.status, result.headers, [...result.body]])).toEqual(results.map((result) => [result.id, result.status, result.headers, [...result.body]]));
  });

  it('carries a JSON body as JSON, readable by any server', () => {
    const wire = JSON.parse(encodeBatch([kinds[0]![1]])) as WireBatch;
    expect(wire.requests[0]).toMatchObject({ id: 'json', method: 'POST', url: '/api/json', encoding: 'json', body: { title: 'Milk', done: false, n: 1.5, tags: ['a'] } });
  });

  it('base64s large bodies without overflowing the stack', () => {
    const large = new Uint8Array(1024 * 1024 + 3).map((_, i) => (i * 7) % 256);
    const back = base64ToBytes(bytesToBase64(large));
    // Compared as one buffer: a deep equality of a million elements takes seconds.
    expect(Buffer.compare(back, large)).toBe(0);
    expect(back.length).toBe(large.length);
  });

  it('refuses what is not a batch, saying where', () => {
    const bad: Array<[string, RegExp]> = [
      ['not json', /must be JSON/],
      ['[]', /"requests" list/],
      ['{"requests":[{"id":"1","method":"POST"}]}', /requests\[0\]\.url/],
      ['{"requests":[{"id":"1","method":"POST","url":"/a","headers":{"X":1}}]}', /headers\.X/],
      ['{"requests":[{"id":"1","method":"POST","url":"/a","encoding":"gzip","body":"x"}]}', /encoding/],
      ['{"requests":[{"id":"1","method":"POST","url":"/a","encoding":"base64","body":"***"}]}', /not base64/],
      ['{"requests":[{"id":"1","method":"POST","url":"/a"},{"id":"1","method":"POST","url":"/b"}]}', /id of its own/],
    ];
    for (const [text, message] of bad) expect(() => decodeBatch(text), text).toThrow(BatchFormatError);
    for (const [text, message] of bad) expect(() => decodeBatch(text), text).toThrow(message);
    expect(() => decodeBatchAnswer('{"responses":[{"id":"1","status":99}]}')).toThrow(/HTTP status/);
  });

  it('reads the batch URL an answer names, on its own origin only', () => {
    expect(batchUrlFrom('</api/$batch>', 'https://app.test/api/todos')).toBe('https://app.test/api/$batch');
    expect(batchUrlFrom(' <https://app.test/b> ', 'https://app.test/')).toBe('https://app.test/b');
    expect(batchUrlFrom('<https://evil.test/b>', 'https://app.test/')).toBeNull();
    expect(batchUrlFrom('/api/$batch', 'https://app.test/')).toBeNull();
    expect(batchUrlFrom(null, 'https://app.test/')).toBeNull();
  });
});

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

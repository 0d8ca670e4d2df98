import { afterEach, describe, expect, it } from 'vitest';
import type { ConflictAnswer, ConflictQuestion } from '../protocol/wire';
import type { PageLine } from '../sw/pages/page-registry';
import { ScriptedServer, draft, startEngine, tick, type TestEngine } from './helpers';

let current: TestEngine | null = null;
afterEach(() => current?.close());

/** A page that answers every conflict it is asked about with `answer`, after `delayMs`. */
function answeringPage(answer: ConflictAnswer | null, asked: ConflictQuestion[], delayMs = 0): PageLine {
  const line = {
    credentials: async () => null,
    conflict: (question: ConflictQuestion) => {
      asked.push(question);
      return new Promise((resolve) => setTimeout(() => resolve(answer), delayMs));
    },
  };
  return line as unknown as PageLine;
}

describe('conflicts that wait for a person, asked of the pages over Comlink', () => {
  it('asks every connected page with base, local and server, and the first answer wins', async () => {
    let calls = 0;
    const server = new ScriptedServer(() => (++calls === 1 ? { status: 412, body: { title: 'theirs' }, headers: { etag: '"5"' } } : { status: 200, body: {} }));
    // The write has a base but no version: with verification it would be read first (verify.test.ts).
    current = await startEngine(server, { verify: 'off' });
    const { log, outbox, events } = current;
    const asked: ConflictQuestion[] = [];
    outbox.pages.connect('fast', answeringPage({ body: { title: 'from the fast page' } }, asked, 5));
    outbox.pages.connect('slow', answeringPage({ discard: true }, asked, 60));
    const { entry } = await log.entries.append(draft('PATCH', '/api/todos/1', { title: 'mine' }, { conflict: 'manual', baseRepresentation: { title: 'base' } }));
    await outbox.scheduler.kick();
    expect(asked).toHaveLength(2);
    expect(asked[0]).toMatchObject({ id: entry.id, base: { title: 'base' }, local: { title: 'mine' }, server: { title: 'theirs' }, reason: 'manual' });
    await new Promise((resolve) => setTimeout(resolve, 120));
    await outbox.scheduler.kick();
    expect(server.sent.map((sent) => [sent.body, sent.headers['if-match']])).toEqual([
      ['{"title":"mine"}', undefined],
      ['{"title":"from the fast page"}', '"5"'],
    ]);
    await tick();
    expect(events.filter((e) => e.type === 'resolved').map((e) => e.type === 'resolved' && e.how)).toEqual(['manual']);
    expect(events.some((e) => e.type === 'rejected')).toBe(false);
  });

  it('a page that connects later is asked about the conflicts already waiting', async () => {
    const server = new ScriptedServer(() => ({ status: 412, body: { title: 'theirs' }, headers: { etag: '"5"' } }));
    current = await startEngine(server);
    const { log, outbox } = current;
    const { entry } = await log.entries.append(draft('PATCH', '/api/todos/1', { title: 'mine' }, { conflict: 'manual' }));
    await outbox.scheduler.kick();
    expect(await log.entries.get(entry.id)).toMatchObject({ state: 'conflict' });
    const asked: ConflictQuestion[] = [];
    outbox.pages.connect('late', answeringPage({ discard: true }, asked));
    await tick(50);
    expect(asked.map((question) => question.id)).toEqual([entry.id]);
    expect(await log.entries.get(entry.id)).toMatchObject({ state: 'dead', reason: 'discarded' });
  });

  it('a resend answer sends the write again as it was, bytes and type unchanged, against the version it met', async () => {
    let calls = 0;
    const server = new ScriptedServer(() => (++calls === 1 ? { status: 412, body: { title: 'theirs' }, headers: { etag: '"7"' } } : { status: 200, body: {} }));
    current = await startEngine(server);
    const { log, outbox } = current;
    const text = new TextEncoder().encode('plain words, not JSON').buffer as ArrayBuffer;
    const { entry } = await log.entries.append(draft('PUT', '/api/notes/1', undefined, { conflict: 'manual', body: text, contentType: 'text/plain', headers: [['content-type', 'text/plain']] }));
    await outbox.scheduler.kick();
    expect(await log.entries.get(entry.id)).toMatchObject({ state: 'conflict' });
    expect(await outbox.desk.answer(entry.id, { resend: true })).toBe(true);
    await outbox.scheduler.kick();
    expect(server.sent.map((sent) => [sent.body, sent.headers['content-type'], sent.headers['if-match']])).toEqual([
      ['plain words, not JSON', 'text/plain', undefined],
      ['plain words, not JSON', 'text/plain', '"7"'],
    ]);
  });
});

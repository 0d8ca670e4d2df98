import { afterEach, describe, expect, it, vi } from 'vitest';
import { ScriptedServer, draft, startEngine, tick, type TestEngine } from './helpers';

let current: TestEngine | null = null;
afterEach(() => current?.close());

describe('the pipeline: a lane goes on while its confirmation commits', () => {
  it("sends a lane's next write once the answer before it is read, based on the version it brought, before that confirmation is durable", async () => {
    let version = 0;
    const server = new ScriptedServer(() => ({ status: 200, body: { v: ++version }, headers: { etag: `"${version}"` } }));
    current = await startEngine(server, { batch: 'off' });
    const { log, outbox, events } = current;
    const written = [];
    for (let n = 1; n <= 3; n++) written.push((await log.entries.append(draft('PATCH', '/api/todos/1', { n }, { requestedBase: n === 1 ? '"0"' : null }))).entry);
    const lookahead = vi.spyOn(log.entries, 'knownNext');
    await outbox.scheduler.kick();
    // The third went as read ahead by the confirmation of the first, not read again after the second's.
    expect(lookahead.mock.results.map((result) => (result.value as { id?: string } | undefined)?.id)).toContain(written[2]!.id);
    // The drain ends once the log is settled.
    expect(await log.entries.countPending('')).toBe(0);
    expect(server.sent.map((sent) => [JSON.parse(sent.body).n, sent.headers['if-match']])).toEqual([[1, '"0"'], [2, '"1"'], [3, '"2"']]);
    await tick();
    const seqOf = (type: string, id: string) => events.find((event) => event.type === type && 'id' in event && event.id === id)!.seq;
    // Each next write went before the confirmation of the one before it was stored (and announced).
    expect(seqOf('sent', written[1]!.id)).toBeLessThan(seqOf('confirmed', written[0]!.id));
    expect(seqOf('sent', written[2]!.id)).toBeLessThan(seqOf('confirmed', written[1]!.id));
  });

  it('with the version in a body field, sends the next write read ahead once the body is read, based on it', async () => {
    let version = 0;
    const server = new ScriptedServer(() => ({ status: 200, body: { v: ++version } }));
    current = await startEngine(server, { batch: 'off', versioning: 'v' });
    const { log, outbox } = current;
    const written = [];
    for (let n = 1; n <= 3; n++) written.push((await log.entries.append(draft('PATCH', '/api/todos/1', { n }, { requestedBase: n === 1 ? '0' : null }))).entry);
    const lookahead = vi.spyOn(log.entries, 'knownNext');
    await outbox.scheduler.kick();
    expect(lookahead.mock.results.map((result) => (result.value as { id?: string } | undefined)?.id)).toContain(written[2]!.id);
    expect(server.sent.map((sent) => JSON.parse(sent.body))).toEqual([{ n: 1, v: 0 }, { n: 2, v: 1 }, { n: 3, v: 2 }]);
  });

  it('sends a write merged into the one behind the head while the head was on the wire, merged, and a write discarded then not at all', async () => {
    for (const change of ['merge', 'discard'] as const) {
      let version = 0;
      const server = new ScriptedServer(() => ({ status: 200, body: { v: ++version }, headers: { etag: `"${version}"` } }), 30);
      current = await startEngine(server, { batch: 'off' });
      const { log, controls } = current;
      const written = [];
      // The third takes merges; the first two do not, so the lane holds three writes.
      for (let n = 1; n <= 3; n++) written.push((await log.entries.append(draft('PATCH', '/api/todos/1', { n }, { requestedBase: n === 1 ? '"0"' : null, coalesce: n === 3 }))).entry);
      const draining = current.outbox.scheduler.kick();
      // The second is on the wire: the confirmation of the first read the third behind it.
      while (server.sent.length < 2) await tick(1);
      if (change === 'merge') expect((await log.entries.append(draft('PATCH', '/api/todos/1', { done: true }, { coalesce: true }))).outcome).toBe('merged');
      else expect(await controls.discard(written[2]!.id)).toBe(true);
      await draining;
      current.close();
      const bodies = server.sent.map((sent) => JSON.parse(sent.body) as Record<string, unknown>);
      expect(bodies).toEqual(change === 'merge' ? [{ n: 1 }, { n: 2 }, { n: 3, done: true }] : [{ n: 1 }, { n: 2 }]);
      expect(await log.entries.countPending('')).toBe(0);
    }
  });
});

import { afterEach, describe, expect, it } from 'vitest';
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
    await outbox.scheduler.kick();
    // The drain ends once the log is settled.
    expect(await log.entries.countPending('')).toBe(0);
    expect(server.sent.map((sent) => [JSON.parse(sent.body).n, sent.headers['if-match']])).toEqual([[1, '"0"'], [2, '"1"'], [3, '"2"']]);
    await tick();
    const seqOf = (type: string, id: string) => events.find((event) => event.type === type && 'id' in event && event.id === id)!.seq;
    // Each next write went before the confirmation of the one before it was stored (and announced).
    expect(seqOf('sent', written[1]!.id)).toBeLessThan(seqOf('confirmed', written[0]!.id));
    expect(seqOf('sent', written[2]!.id)).toBeLessThan(seqOf('confirmed', written[1]!.id));
  });
});

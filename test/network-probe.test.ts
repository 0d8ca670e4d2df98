import { afterEach, describe, expect, it } from 'vitest';
import { probeIntervalMs } from '../sw/send/network';
import { ScriptedServer, draft, startEngine, type TestEngine } from './helpers';

let current: TestEngine | null = null;
afterEach(() => current?.close());

describe('the network coming back when the browser never says so', () => {
  it('a cheap probe finds it, and the writes that waited only on the network go at once; a 5xx backoff stays', async () => {
    let down = true;
    const server = new ScriptedServer((sent) => (down ? 'network-error' : sent.method === 'HEAD' ? { status: 200 } : { status: 200, body: {} }));
    current = await startEngine(server);
    const { log, outbox } = current;
    const { entry: waitedOnNetwork } = await log.entries.append(draft('PATCH', '/api/todos/1', { title: 'a' }));
    const { entry: backedOff } = await log.entries.append(draft('PATCH', '/api/todos/2', { title: 'b' }));
    await outbox.scheduler.kick();
    expect(outbox.network.down).toBe(true);
    // Long backoffs, as after an hour offline; one of them after a server error.
    const later = Date.now() + 60_000;
    await log.entries.put({ ...(await log.entries.get(waitedOnNetwork.id))!, nextAttemptAt: later, lastStatus: null });
    await log.entries.put({ ...(await log.entries.get(backedOff.id))!, nextAttemptAt: later, lastStatus: 503 });

    // Still down: however often the page nudges (here for 1.5 intervals), one probe per interval at most, and nothing sent.
    const before = server.sent.length;
    const windowStart = Date.now();
    for (let i = 0; i < 15; i++) {
      await outbox.scheduler.kick();
      await new Promise((resolve) => setTimeout(resolve, probeIntervalMs / 10));
    }
    const whileDown = server.sent.slice(before);
    expect(whileDown.every((sent) => sent.method === 'HEAD' && sent.url === 'http://app.test/')).toBe(true);
    // However many nudges: at most one probe per interval begun in the window (a loaded machine stretches it).
    expect(whileDown.length).toBeGreaterThanOrEqual(1);
    expect(whileDown.length).toBeLessThanOrEqual(Math.ceil((Date.now() - windowStart) / probeIntervalMs) + 1);

    // Back: the worker's own timer probes, and the write that waited on the network goes, unasked
    // (waited for until it is confirmed, not just sent: a loaded machine widens the gap between).
    down = false;
    const deadline = Date.now() + probeIntervalMs * 2;
    while (Date.now() < deadline && (await log.entries.get(waitedOnNetwork.id)) !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const writes = server.sent.slice(before).filter((sent) => sent.method === 'PATCH');
    expect(writes.map((sent) => sent.url)).toEqual(['http://app.test/api/todos/1']);
    expect(await log.entries.get(waitedOnNetwork.id)).toBeUndefined();
    expect(await log.entries.get(backedOff.id)).toMatchObject({ state: 'queued', nextAttemptAt: later });
    expect(outbox.network.down).toBe(false);
  });

  it('no probe while nothing failed', async () => {
    const server = new ScriptedServer(() => ({ status: 200, body: {} }));
    current = await startEngine(server);
    await current.log.entries.append(draft('PATCH', '/api/todos/1', { title: 'a' }));
    await current.outbox.scheduler.kick();
    expect(server.sent.map((sent) => sent.method)).toEqual(['PATCH']);
  });
});

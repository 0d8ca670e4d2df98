import { describe, expect, it } from 'vitest';
import { EventHub } from '../sw/events/hub';
import { openTestLog } from './helpers';
import { historyLimit } from '../sw/log/history';

describe('the event history', () => {
  it('keeps an event emitted while an earlier batch is being written, without waiting for another event', async () => {
    const log = await openTestLog();
    const hub = await EventHub.create(log.history);
    const record = log.history.record.bind(log.history);
    let confirmedDuringWrite = false;
    log.history.record = async (events) => {
      if (!confirmedDuringWrite) {
        confirmedDuringWrite = true;
        hub.emit({ type: 'confirmed', id: 'a', resource: 'r', status: 200, body: null, version: null, live: false });
      }
      return record(events);
    };
    hub.emit({ type: 'queued', id: 'a', method: 'PATCH', url: 'http://app.test/api/todos/1', resource: 'r', tempId: null });
    await hub.settled();
    expect((await log.history.after()).map((event) => event.type)).toEqual(['queued', 'confirmed']);
  });
});

describe('a burst of events', () => {
  it('holds and writes no more than the history keeps: the newest', async () => {
    const log = await openTestLog();
    const hub = await EventHub.create(log.history);
    const written: number[] = [];
    const record = log.history.record.bind(log.history);
    log.history.record = async (events) => {
      written.push(events.length);
      return record(events);
    };
    for (let i = 0; i < historyLimit * 3; i++) hub.emit({ type: 'sent', id: `w${i}`, resource: 'r', attempt: 1 });
    await hub.settled();
    expect(written).toEqual([historyLimit]);
    const kept = await log.history.after();
    expect(kept).toHaveLength(historyLimit);
    expect(kept.at(-1)).toMatchObject({ id: `w${historyLimit * 3 - 1}` });
  });
});

import { describe, expect, it } from 'vitest';
import { EventHub } from '../sw/events/hub';
import { openTestLog } from './helpers';

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

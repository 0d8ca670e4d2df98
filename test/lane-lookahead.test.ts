import { describe, expect, it } from 'vitest';
import { draft, openTestLog } from './helpers';
import type { OutboxLog } from '../sw/log';
import type { StoredEntry } from '../sw/log/entry';

const lane = 'http://app.test/api/todos/1';

/** Three writes in one lane, the first confirmed: its confirmation read the second and the third behind it. */
async function laneOfThree(): Promise<{ log: OutboxLog; second: StoredEntry; third: StoredEntry }> {
  const log = await openTestLog();
  const written: StoredEntry[] = [];
  for (const n of [1, 2, 3]) written.push((await log.entries.append(draft('PATCH', '/api/todos/1', { n }, { requestedBase: n === 1 ? '"1"' : null, coalesce: n === 3 }))).entry);
  const after = await log.entries.confirm(written[0]!, { version: '"2"', representation: null, mapping: null });
  return { log, second: after.head!, third: written[2]! };
}

const confirmed = (log: OutboxLog, entry: StoredEntry, version: string) => log.entries.confirm(entry, { version, representation: null, mapping: null });

describe("a lane's lookahead: the write behind its head, read by the confirmation before", () => {
  it('is the next write once the head is confirmed, rebased as the confirmation stores it', async () => {
    const { log, second, third } = await laneOfThree();
    const known = log.entries.knownNext(second, '"3"');
    expect(known).toMatchObject({ id: third.id, baseVersion: '"3"', chained: false, basedOnOwn: true });
    // Exactly what the log holds once that confirmation is durable.
    expect((await confirmed(log, second, '"3"')).head).toEqual(known);
    expect(await log.entries.laneHead(lane)).toEqual(known);
    // It is used once.
    expect(log.entries.knownNext(second, '"3"')).toBeUndefined();
  });

  it('is not trusted once a write entered the lane (a merge into it)', async () => {
    const { log, second, third } = await laneOfThree();
    const merged = await log.entries.append(draft('PATCH', '/api/todos/1', { done: true }, { coalesce: true }));
    expect(merged.outcome).toBe('merged');
    expect(log.entries.knownNext(second, '"3"')).toBeUndefined();
    const { head } = await confirmed(log, second, '"3"');
    expect(head).toMatchObject({ id: third.id, coalesced: [merged.entry.id] });
  });

  it('is not trusted after any other change of the log, nor for another head', async () => {
    const changes: Array<[string, (log: OutboxLog, third: StoredEntry) => Promise<unknown>]> = [
      ['a discard', (log, third) => log.entries.remove(third.id)],
      ['a write elsewhere stored after a retry', async (log) => log.entries.put((await log.entries.append(draft('PATCH', '/api/todos/2', { n: 1 }))).entry)],
      ['a dead letter', async (log) => log.entries.kill((await log.entries.append(draft('PATCH', '/api/todos/3', { n: 1 }))).entry, 'rejected', false)],
      ['a sign-out', (log) => log.entries.clearPartition('someone else')],
    ];
    for (const [, change] of changes) {
      const { log, second, third } = await laneOfThree();
      await change(log, third);
      expect(log.entries.knownNext(second, '"3"')).toBeUndefined();
    }
    const { log, third } = await laneOfThree();
    expect(log.entries.knownNext(third, '"3"')).toBeUndefined();
  });

  it('is not trusted while another change is under way', async () => {
    const { log, second, third } = await laneOfThree();
    const discarding = log.entries.remove(third.id);
    expect(log.entries.knownNext(second, '"3"')).toBeUndefined();
    await discarding;
    expect((await confirmed(log, second, '"3"')).head).toBeUndefined();
  });
});

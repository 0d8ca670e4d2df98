import type { ReplayEngine } from './engine';
import { jsonBodyOf, summarize } from './entry';
import { lostFields } from './conflict';
import type { EventHub } from './events';
import type { OutboxLog } from './log';
import type { WorkerApi } from './protocol';

/** The controls a page reaches over Comlink (SPEC §7). */
export function createWorkerApi(log: OutboxLog, engine: ReplayEngine, events: EventHub): WorkerApi {
  return {
    ping: () => 'pong',
    status: () => engine.status(),
    // Another user's writes are not shown while this one is signed in.
    list: async () => (await log.partition(engine.partition)).map(summarize),
    history: async (afterSeq) => {
      await events.settled();
      return log.history(afterSeq);
    },
    replay: () => engine.kick(true),
    retry: async (id) => {
      const revived = await log.revive(id);
      if (revived) void engine.kick(true);
      engine.statusChanged();
      return revived !== undefined;
    },
    resolve: (id, answer) => engine.resolveConflict(id, answer),
    discard: async (id) => {
      const entry = await log.get(id);
      const removed = await log.remove(id);
      if (entry && removed) {
        events.emit({ type: 'rejected', id, resource: entry.resource, status: null, body: null, reason: 'discarded', live: false, lostFields: lostFields(jsonBodyOf(entry), null) });
        void engine.kick();
      }
      engine.statusChanged();
      return removed;
    },
    pause: () => engine.setPaused(true),
    resume: () => engine.setPaused(false),
    setPartition: (partition) => engine.setPartition(partition),
    clear: async (partition = engine.partition) => {
      // Dropping a user's writes on purpose still says so, write by write, so tabs roll back.
      for (const entry of await log.clearPartition(partition)) {
        const lost = lostFields(jsonBodyOf(entry), null);
        for (const id of [entry.id, ...entry.coalesced]) {
          events.emit({ type: 'rejected', id, resource: entry.resource, status: null, body: null, reason: 'cleared', live: false, lostFields: lost });
        }
      }
      engine.statusChanged();
    },
  };
}

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
    list: async () => (await log.all()).map(summarize),
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
    clear: async () => {
      await log.clear();
      engine.statusChanged();
    },
  };
}

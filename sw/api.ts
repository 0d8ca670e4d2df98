import type { ReplayEngine } from './engine';
import { summarize } from './entry';
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
        events.dropped([entry], 'discarded');
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
      events.dropped(await log.clearPartition(partition), 'cleared');
      engine.statusChanged();
    },
  };
}

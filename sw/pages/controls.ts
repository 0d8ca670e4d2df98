import { summarize } from '../log/entry';
import type { OutboxLog } from '../log';
import type { EventHub } from '../events/hub';
import type { StatusReporter } from '../events/status';
import type { ReplayGate } from '../lanes/gate';
import type { Scheduler } from '../lanes/scheduler';
import type { PageApi, WorkerApi } from '../../protocol';
import type { ConflictDesk } from './conflict-desk';
import type { PageLine, PageRegistry } from './page-registry';

/** What the controls act on. */
export interface ControlParts {
  log: OutboxLog;
  events: EventHub;
  status: StatusReporter;
  gate: ReplayGate;
  scheduler: Scheduler;
  desk: ConflictDesk;
  pages: PageRegistry;
}

/** A page can supply fresh credentials now: the active partition's held writes go again. */
export async function releaseHeld({ log, gate, scheduler }: Pick<ControlParts, 'log' | 'gate' | 'scheduler'>): Promise<void> {
  await log.entries.releaseHeld(gate.partition);
  await scheduler.kick(true);
}

/**
 * The controls a page reaches over Comlink (docs/protocol.md, Controls), for the page with client
 * id `clientId`: its `connectPage` registers that page's own side of the line.
 */
export function createControls(parts: ControlParts, clientId: string): WorkerApi {
  const { log, events, status, gate, scheduler, desk, pages } = parts;
  const { entries, meta } = log;
  return {
    ping: () => 'pong',
    status: () => status.status(),
    // Another user's writes are not shown while this one is signed in.
    list: async () => (await entries.partition(gate.partition)).map(summarize),
    history: (afterSeq) => events.after(afterSeq),
    replay: () => scheduler.kick(true),
    retry: async (id) => {
      const revived = await entries.revive(id);
      if (revived) void scheduler.kick(true);
      status.changed();
      return revived !== undefined;
    },
    resolve: async (id, answer) => {
      const applied = await desk.answer(id, answer);
      status.changed();
      return applied;
    },
    discard: async (id) => {
      const entry = await entries.get(id);
      const removed = await entries.remove(id);
      if (entry && removed) {
        events.dropped([entry], 'discarded');
        void scheduler.kick();
      }
      status.changed();
      return removed;
    },
    pause: async () => {
      gate.setPaused(true);
      await meta.set('paused', true);
      status.changed();
    },
    resume: async () => {
      gate.setPaused(false);
      await meta.set('paused', false);
      status.changed();
      await scheduler.kick(true);
    },
    setPartition: async (partition) => {
      gate.setPartition(partition);
      await meta.set('partition', partition);
      status.changed();
      await scheduler.kick(true);
    },
    clear: async (partition = gate.partition) => {
      // Dropping a user's writes on purpose still says so, write by write, so tabs roll back.
      events.dropped(await entries.clearPartition(partition), 'cleared');
      await log.kept.clearPartition(partition);
      status.changed();
    },
    connectPage: async (page: PageApi) => pages.connect(clientId, page as unknown as PageLine),
  };
}

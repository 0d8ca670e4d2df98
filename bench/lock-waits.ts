// Samples what the backends of a Postgres database wait on, from a connection of its own, so that a
// benchmark can show that deliveries of distinct keys never wait on one another's locks.
import pg from 'pg';

/** What the samples saw. */
export interface LockWaitSummary {
  samples: number;
  /** Backends running a statement, on average per sample (the sampler's own excluded). */
  activeAverage: number;
  /**
   * Backend-samples waiting on a heavyweight lock (`pg_stat_activity.wait_event_type = 'Lock'`), by
   * the kind of lock waited on (`wait_event`: `extend`, `transactionid`, `tuple`, `advisory`…).
   */
  lockWaitKinds: Map<string, number>;
  /** Lock requests not granted (`pg_locks`), summed over the samples, by kind of lock and relation (`extend on outbox_idempotency_keys`). */
  ungrantedKinds: Map<string, number>;
  /** Every wait event seen on an active backend, with how many backend-samples it was. */
  waitEvents: Map<string, number>;
  /** The statements that waited on a lock, and what they waited behind (empty when none did). */
  waits: string[];
}

interface Sample {
  active: number;
  lock_waits: Array<{ kind: string; n: number }> | null;
  ungranted: Array<{ kind: string; n: number }> | null;
  events: Array<{ event: string; n: number }> | null;
  waiting: Array<{ query: string; blockers: string[] }> | null;
}

const SAMPLE_SQL = `
SELECT
  (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid())::int AS active,
  (SELECT json_agg(json_build_object('kind', wait_event, 'n', n)) FROM (
     SELECT wait_event, count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' GROUP BY 1) AS l) AS lock_waits,
  (SELECT json_agg(json_build_object('kind', kind, 'n', n)) FROM (
     SELECT locktype || coalesce(' on ' || relation::regclass::text, '') AS kind, count(*) AS n FROM pg_locks WHERE NOT granted GROUP BY 1) AS u) AS ungranted,
  (SELECT json_agg(json_build_object('event', e, 'n', n)) FROM (
     SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS e, count(*) AS n FROM pg_stat_activity
     WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid() GROUP BY 1) AS w) AS events,
  (SELECT json_agg(json_build_object('query', left(a.query, 120),
     'blockers', (SELECT coalesce(json_agg(left(b.query, 120)), '[]'::json) FROM pg_stat_activity b WHERE b.pid = ANY (pg_blocking_pids(a.pid)))))
   FROM pg_stat_activity a WHERE a.datname = current_database() AND a.wait_event_type = 'Lock') AS waiting`;

/** Starts sampling every `everyMs`; `stop` ends it and sums up. */
export async function sampleLockWaits(databaseUrl: string, everyMs: number): Promise<{ stop(): Promise<LockWaitSummary> }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const summary: LockWaitSummary = { samples: 0, activeAverage: 0, lockWaitKinds: new Map(), ungrantedKinds: new Map(), waitEvents: new Map(), waits: [] };
  let active = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      const row = (await client.query<Sample>(SAMPLE_SQL)).rows[0]!;
      summary.samples += 1;
      active += row.active;
      for (const { kind, n } of row.lock_waits ?? []) tally(summary.lockWaitKinds, kind, n);
      for (const { kind, n } of row.ungranted ?? []) tally(summary.ungrantedKinds, kind, n);
      for (const { event, n } of row.events ?? []) tally(summary.waitEvents, event, n);
      for (const wait of row.waiting ?? []) summary.waits.push(`${wait.query} behind ${wait.blockers.join(' | ') || '(gone)'}`);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, everyMs - (Date.now() - started))));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await client.end();
      summary.activeAverage = summary.samples === 0 ? 0 : active / summary.samples;
      return summary;
    },
  };
}

/** Adds `n` to `counts`' count of `name`. */
export function tally(counts: Map<string, number>, name: string, n: number): void {
  counts.set(name, (counts.get(name) ?? 0) + n);
}

import type { EntrySummary, OutboxClient } from '../../client/index';

/** A table of the worker's queue: what waits, why, and buttons to retry or discard it. */
export function renderQueue(entries: EntrySummary[], outbox: OutboxClient): void {
  const body = document.querySelector<HTMLTableSectionElement>('[data-testid="queue"] tbody')!;
  document.querySelector('[data-testid="queue-size"]')!.textContent = String(entries.length);
  body.replaceChildren(
    ...entries.map((entry) => {
      const tr = document.createElement('tr');
      tr.setAttribute('data-testid', 'queue-row');
      tr.dataset.state = entry.state;
      const next = entry.state === 'queued' && entry.nextAttemptAt > Date.now() ? new Date(entry.nextAttemptAt).toLocaleTimeString() : '';
      for (const text of [entry.method, new URL(entry.url).pathname, entry.state + (entry.reason ? ` (${entry.reason})` : ''), String(entry.attempts), next, entry.lastStatus === null ? '' : String(entry.lastStatus)]) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      const actions = document.createElement('td');
      for (const [label, act] of [['retry', () => outbox.retry(entry.id)], ['discard', () => outbox.discard(entry.id)]] as const) {
        const control = document.createElement('button');
        control.type = 'button';
        control.className = 'ghost';
        control.textContent = label;
        control.setAttribute('data-testid', `queue-${label}`);
        control.addEventListener('click', () => void act());
        actions.append(control);
      }
      tr.append(actions);
      return tr;
    }),
  );
}

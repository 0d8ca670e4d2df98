import type { ConflictAnswer, EntrySummary, OutboxEventType, OutboxStatus } from '../protocol';
import { StatusChip } from './chip';
import { ConflictDialog, type WaitingConflict } from './conflict-dialog';
import { resourceName } from './describe';
import { el } from './dom';
import { placements, type OutboxUI, type UiClient, type UiOptions } from './options';
import { attentionOf, chipMessage, outlookOf } from './outlook';
import { RefusedList } from './refused-list';
import { RollbackNotices } from './rollback-notice';
import { SerialRead } from './serial-read';
import { adoptStyles } from './styles';
import { textsWith } from './texts';

/** Events after which the list of writes is read again (each tab hears every one of them). */
const changes: OutboxEventType[] = ['queued', 'sent', 'confirmed', 'retrying', 'conflict', 'resolved', 'rejected', 'held', 'idmap', 'activated'];
/** How long "All changes saved" shows before the chip gets out of the way. */
const savedShownMs = 4000;
/** Rejections that are the app's or the person's own doing: no notice for them. */
const unannounced = new Set(['discarded', 'cleared']);

/**
 * Mounts the outbox's UI for a person (the drop-in does this by itself): the status chip, the
 * conflict dialog, the refused writes and the rollback notices, in a shadow root of an
 * `outbox-ui` element. It uses the client's public API only. While the page answers conflicts
 * itself (`client.handleConflicts`), the UI steps aside entirely: that app shows its own.
 * Returns the handle that unmounts it.
 */
export function mountOutboxUI(client: UiClient, options: UiOptions = {}): OutboxUI {
  const texts = textsWith(options.text);
  const placement = options.placement ?? 'bottom-right';
  if (!placements.includes(placement)) throw new TypeError(`sw-outbox: ui.placement must be one of ${placements.join(', ')}`);
  const mountedAt = Date.now();

  let status: OutboxStatus | null = null;
  let entries: EntrySummary[] = [];
  /** Conflicts the person put off (they reopen from the chip) and those answered here, awaiting the list's word. */
  const putOff = new Set<string>();
  const answered = new Set<string>();
  let refusedOpen = false;
  /** Refused writes already known; null until the first read (those refused before the page opened do not open the list). */
  let seenRefused: Set<string> | null = null;
  let lastWaiting = 0;
  let savedUntil = 0;
  let savedTimer: ReturnType<typeof setTimeout> | undefined;

  const act = (work: Promise<unknown>): void => void work.catch(() => undefined).finally(refresh);
  const dialog = new ConflictDialog(texts, {
    answer(id: string, reply: ConflictAnswer) {
      answered.add(id);
      const settled = client.resolve(id, reply).then(
        // Keeping theirs of a write that is not JSON drops it: its record need not stay among the refused.
        (applied) => (applied && 'discard' in reply ? client.discard(id) : applied),
        // The worker did not take it: the dialog asks again.
        () => answered.delete(id),
      );
      act(settled);
    },
    putOff(id: string) {
      putOff.add(id);
      render();
    },
  });
  const chip = new StatusChip(texts, review);
  const refused = new RefusedList(texts, {
    retry: (id) => act(client.retry(id)),
    discard: (id) => act(client.discard(id)),
    hide() {
      refusedOpen = false;
      render();
      chip.focusReview();
    },
  });
  const notices = new RollbackNotices(texts);

  const host = document.createElement('outbox-ui');
  const root = host.attachShadow({ mode: 'open' });
  adoptStyles(root);
  root.append(chip.announcer, el('div', { class: 'layout', 'data-placement': placement }, chip.element, refused.element, notices.element), dialog.element);

  /** The chip's Review: a put-off conflict first, else the refused writes. */
  function review(): void {
    const conflict = entries.find((entry) => entry.state === 'conflict' && !answered.has(entry.id));
    if (conflict) {
      putOff.delete(conflict.id);
      render();
      return;
    }
    refusedOpen = !refusedOpen;
    render();
    if (refusedOpen) refused.focus();
  }

  function render(): void {
    host.hidden = client.answersConflicts;
    if (host.hidden || status === null) {
      dialog.close();
      return;
    }
    const outlook = outlookOf(status, entries, navigator.onLine);
    if (lastWaiting > 0 && outlook.waiting === 0 && attentionOf(outlook) === 0 && outlook.online) {
      savedUntil = Date.now() + savedShownMs;
      clearTimeout(savedTimer);
      savedTimer = setTimeout(render, savedShownMs);
    }
    lastWaiting = outlook.waiting;
    chip.show(chipMessage(outlook, texts, Date.now() < savedUntil), attentionOf(outlook) > 0);
    renderRefused();
    renderConflict();
  }

  function renderRefused(): void {
    const dead = entries.filter((entry) => entry.state === 'dead');
    // A write refused while the page is open opens the list; those known already do not.
    if (seenRefused && dead.some((entry) => !seenRefused?.has(entry.id))) refusedOpen = true;
    if (listed) seenRefused = new Set(dead.map((entry) => entry.id));
    refused.render(dead, refusedOpen);
  }

  function renderConflict(): void {
    const waiting = entries.filter((entry) => entry.state === 'conflict' && !answered.has(entry.id));
    // Answered in another tab (or here): the dialog closes.
    if (dialog.showing !== null && !waiting.some((entry) => entry.id === dialog.showing)) dialog.close();
    const next = waiting.find((entry) => !putOff.has(entry.id));
    if (dialog.showing === null && next) dialog.open(conflictOf(next));
  }

  /** Whether the writes were read once: before, the UI knows nothing of them. */
  let listed = false;
  const writes = new SerialRead(() => client.list(), (listedNow) => {
    entries = listedNow;
    listed = true;
    const stillWaiting = new Set(listedNow.filter((entry) => entry.state === 'conflict').map((entry) => entry.id));
    for (const id of answered) if (!stillWaiting.has(id)) answered.delete(id);
    render();
  });
  const refresh = (): void => writes.ask();

  /** The name of a resource, from what the UI last knew of its writes. */
  function nameOf(resource: string, ...representations: unknown[]): string {
    const known = entries.filter((entry) => entry.resource === resource).flatMap((entry) => [entry.json, entry.base, entry.server]);
    return resourceName(resource, ...representations, ...known);
  }

  (options.container ?? document.body).append(host);
  const stops = [
    client.subscribeStatus((next) => {
      status = next;
      render();
    }),
    ...changes.map((type) => client.on(type, refresh)),
    // Only what happens while the page is open: older events come from the worker's history.
    client.on('conflict', (event) => {
      if (event.dropped && event.at >= mountedAt) notices.add(nameOf(event.resource, event.server, event.local), event.lostFields);
    }),
    client.on('rejected', (event) => {
      if (!event.live && !unannounced.has(event.reason) && event.at >= mountedAt) notices.add(nameOf(event.resource), event.lostFields);
    }),
  ];
  addEventListener('online', render);
  addEventListener('offline', render);
  refresh();

  return {
    unmount() {
      for (const stop of stops) stop();
      removeEventListener('online', render);
      removeEventListener('offline', render);
      clearTimeout(savedTimer);
      dialog.close();
      host.remove();
    },
  };
}

/** A listed write waiting on a conflict, as the dialog asks about it. */
function conflictOf(entry: EntrySummary): WaitingConflict {
  return { id: entry.id, url: entry.url, method: entry.method, local: entry.json, base: entry.base, server: entry.server };
}

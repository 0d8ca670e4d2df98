import type { ConflictAnswer, ConflictQuestion } from '../../protocol';
import { jsonBodyOf, type StoredEntry } from '../log/entry';
import type { ReplayGate } from '../lanes/gate';
import type { OutcomeContext } from '../outcome/context';
import { answerConflict } from '../outcome/conflicts';
import type { PageLine, PageRegistry } from './page-registry';

/** What a page is asked about a write that waits on a conflict. */
export function questionOf(entry: StoredEntry): ConflictQuestion {
  return {
    id: entry.id, resource: entry.resource, method: entry.method, url: entry.url,
    base: entry.baseRepresentation ?? null, local: jsonBodyOf(entry), server: entry.serverState ?? null,
    reason: entry.reason, overlapping: entry.overlapping ?? [],
  };
}

/**
 * Conflicts that wait for a person: every connected page is asked (base, local and server in; a
 * body to send or a discard out), a page that connects later is asked then, and the first answer
 * wins: a later one, or a `resolve` call for a write already answered, changes nothing.
 */
export class ConflictDesk {
  private readonly answering = new Set<string>();

  constructor(
    private readonly pages: PageRegistry,
    private readonly outcomes: OutcomeContext,
    private readonly gate: ReplayGate,
    private readonly kick: () => void,
  ) {
    pages.onConnect((page) => void this.askAboutWaiting(page).catch(() => undefined));
  }

  /** A write just began to wait: every connected page is asked about it. */
  ask(entry: StoredEntry): void {
    for (const page of this.pages.connected()) this.askPage(page, entry);
  }

  /** Applies an answer unless one was applied already; true when this one took effect. */
  async answer(id: string, answer: ConflictAnswer): Promise<boolean> {
    if (this.answering.has(id)) return false;
    this.answering.add(id);
    try {
      const applied = await answerConflict(this.outcomes, id, answer);
      if (applied) this.kick();
      return applied;
    } finally {
      this.answering.delete(id);
    }
  }

  /** A page connected: it is asked about each write of the active partition that waits now. */
  private async askAboutWaiting(page: PageLine): Promise<void> {
    for (const entry of await this.outcomes.entries.inState('conflict')) {
      if (entry.partition === this.gate.partition) this.askPage(page, entry);
    }
  }

  private askPage(page: PageLine, entry: StoredEntry): void {
    page.conflict(questionOf(entry)).then(
      (answer) => (answer ? this.answer(entry.id, answer) : false),
      () => false,
    );
  }
}

import type { Remote } from 'comlink';
import type { PageApi } from '../../protocol';

/** A page's side of its Comlink line, as the worker calls it. */
export type PageLine = Remote<PageApi>;

/** Where the registry learns which pages are open, and how it asks closed-off pages to connect. */
export interface PageWindows {
  /** Ids of the open window clients of this origin. */
  openIds: () => Promise<string[]>;
  /** Tells open pages to connect again (after a worker restart their old lines are dead). */
  requestConnections: () => void;
}

/**
 * The pages connected to this worker over Comlink, by client id, for asking them what only the
 * app knows (credentials, the answer to a conflict). Pages connect on every new line
 * (`connectPage`); a page that has gone is forgotten when the worker next asks.
 */
export class PageRegistry {
  private readonly pages = new Map<string, PageLine>();
  private readonly connectListeners = new Set<(page: PageLine) => void>();

  constructor(private readonly windows: PageWindows) {}

  /** A page handed the worker its line (again, after a reconnect: the newest line wins). */
  connect(clientId: string, page: PageLine): void {
    this.pages.set(clientId, page);
    for (const listener of [...this.connectListeners]) listener(page);
  }

  /** Calls `listener` for each page that connects from now on; returns the function that stops it. */
  onConnect(listener: (page: PageLine) => void): () => void {
    this.connectListeners.add(listener);
    return () => this.connectListeners.delete(listener);
  }

  /** The lines of the pages connected now. */
  connected(): PageLine[] {
    return [...this.pages.values()];
  }

  /**
   * Asks every connected page, and every page that connects while the question is open, and
   * resolves with the first answer that is not null. Null when no page is open, when every page
   * asked said null, or when none answered within `timeoutMs`. With pages open but none connected
   * (the worker was just restarted), they are asked to connect first.
   */
  async first<T>(ask: (page: PageLine) => Promise<T | null>, timeoutMs: number): Promise<T | null> {
    const open = new Set(await this.windows.openIds());
    for (const id of [...this.pages.keys()]) if (!open.has(id)) this.pages.delete(id);
    if (open.size === 0) return null;
    return new Promise<T | null>((resolve) => {
      let asked = 0;
      let unanswered = 0;
      let done = false;
      const finish = (value: T | null): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        stopListening();
        resolve(value);
      };
      const timer = setTimeout(() => finish(null), timeoutMs);
      const askOne = (page: PageLine): void => {
        asked++;
        unanswered++;
        const noAnswer = (): void => {
          if (--unanswered === 0 && asked > 0) finish(null);
        };
        ask(page).then((value) => (value === null || value === undefined ? noAnswer() : finish(value)), noAnswer);
      };
      const stopListening = this.onConnect(askOne);
      const current = this.connected();
      current.forEach(askOne);
      if (current.length === 0) this.windows.requestConnections();
    });
  }
}

import type { ConflictAnswer, ConflictQuestion, CredentialsQuestion, PageApi } from '../protocol';

/** Gives a replay fresh credentials (say, `{ Authorization: 'Bearer …' }`), or null when there are none. */
export type CredentialsProvider = (write: CredentialsQuestion) => Record<string, string> | null | Promise<Record<string, string> | null>;

/**
 * Answers a conflict that waits for a person: a body to send instead, `{ discard: true }`, or null
 * to leave it to another page (or a later `resolve`). It may take as long as the person does.
 */
export type ConflictHandler = (conflict: ConflictQuestion) => ConflictAnswer | null | Promise<ConflictAnswer | null>;

/**
 * This page's side of the Comlink line: what the worker asks the app, which only the app can
 * answer. The worker asks every connected page and takes the first answer that is not null.
 */
export class PageSide implements PageApi {
  private credentialsProvider: CredentialsProvider | null = null;
  private conflictHandler: ConflictHandler | null = null;

  /** What the app gives replays (null: nothing; their writes are held). */
  provideCredentials(provider: CredentialsProvider | null): void {
    this.credentialsProvider = provider;
  }

  /** How the app answers conflicts that wait (null: it does not; another page or `resolve` may). */
  handleConflicts(handler: ConflictHandler | null): void {
    this.conflictHandler = handler;
  }

  /** Whether the app answers conflicts itself. */
  get answersConflicts(): boolean {
    return this.conflictHandler !== null;
  }

  async credentials(write: CredentialsQuestion): Promise<Record<string, string> | null> {
    if (!this.credentialsProvider) return null;
    return Promise.resolve(this.credentialsProvider(write)).catch(() => null);
  }

  async conflict(question: ConflictQuestion): Promise<ConflictAnswer | null> {
    if (!this.conflictHandler) return null;
    return Promise.resolve(this.conflictHandler(question)).catch(() => null);
  }
}

import type { StoredEntry } from '../log/entry';

/**
 * What one send of a lane's head came to, for its lane and, for a write sent while its page
 * waits, for that page. Returned, never re-read from the log.
 */
export type Step =
  /**
   * Go on with the lane, under its name now (an id remap renames it); its new head when the settle
   * read it. `settling`: the log's change, still committing while the lane goes on (a confirmation
   * hands over the next head once it is read: docs/architecture.md, The pipeline).
   */
  | { kind: 'continue'; lane: string; head?: StoredEntry | null; settling?: Promise<unknown> }
  /** The lane waits behind this write: queued for a retry, held for credentials, or waiting on a conflict. */
  | { kind: 'wait'; state: 'queued' | 'held' | 'conflict'; entry: StoredEntry; networkDown: boolean }
  /** The server's final answer to a write whose page waits: the page gets it, and the log is settled by `settling`. */
  | { kind: 'answered'; response: Response; settling: Promise<unknown> };

import type { ConflictStrategy } from './config';
import { isRecord } from './capture';

/** What to do with a write the server refused for its version. */
export type ConflictAction =
  /** The server's state stands; the local change is dropped (and said to be). */
  | { kind: 'drop' }
  /** Send the local change again, based on the server's current version. */
  | { kind: 'resend'; baseVersion: string | null };

export interface ConflictInput {
  strategy: ConflictStrategy;
  /** The server's current version, from the conflict answer. */
  serverVersion: string | null;
}

export function decideConflict({ strategy, serverVersion }: ConflictInput): ConflictAction {
  switch (strategy) {
    case 'client-wins':
      return { kind: 'resend', baseVersion: serverVersion };
    default:
      return { kind: 'drop' };
  }
}

/** Fields of a local change that the server's state does not have: what dropping it loses. */
export function lostFields(local: unknown, server: unknown): string[] {
  if (!isRecord(local)) return local === null ? [] : ['(body)'];
  const current = isRecord(server) ? server : {};
  return Object.keys(local).filter((key) => JSON.stringify(local[key]) !== JSON.stringify(current[key]));
}

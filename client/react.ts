// `sw-outbox/react`: the outbox's status in a React component. Its own entry point, so React is
// needed only by apps that import it.
import { useSyncExternalStore } from 'react';
import type { OutboxClient } from './client';
import type { OutboxStatus } from '../protocol';

/** What the hook reads: any store with the client's status and a way to follow it. */
export type StatusStore = Pick<OutboxClient, 'status' | 'subscribeStatus'>;

/** The current status (pending, in flight, online, paused…); the component re-renders on each change. */
export function useOutbox(client: StatusStore): OutboxStatus {
  return useSyncExternalStore(
    (onChange) => client.subscribeStatus(() => onChange()),
    () => client.status,
    () => client.status,
  );
}

// `sw-outbox/client`: the page side.
import { OutboxClient, type ConnectOptions } from './client';

export { OutboxClient, type ConnectOptions, type OptimisticChange } from './client';
export type { WatchUpdate, WatchListener } from './watch';
export type { PendingWrite, WatchChange } from './pending-writes';
export type { CredentialsProvider, ConflictHandler } from './page-side';
export { OptimisticStore } from './optimistic';
export { CallTimeoutError } from './connection';
export type * from '../protocol/wire';
export { outboxHeaders } from '../protocol';
export type { OutboxSettings, RouteSettings, ConflictStrategy } from '../protocol';

/** Registers (unless told not to) and connects to the outbox worker; resolves once it controls the page. */
export function connect(options: ConnectOptions = {}): Promise<OutboxClient> {
  return new OutboxClient(options).ready;
}

import { OutboxClient, type ConnectOptions } from './client';

export { OutboxClient, type ConnectOptions, type OptimisticChange, type CredentialsProvider } from './client';
export { OptimisticStore } from './optimistic';
export { CallTimeoutError } from './connection';
export type * from '../sw/protocol';
export { outboxHeaders } from '../sw/protocol';
export type { OutboxSettings, RouteSettings, ConflictStrategy } from '../sw/config';

/** Registers (unless told not to) and connects to the outbox worker; resolves once it controls the page. */
export function connect(options: ConnectOptions = {}): Promise<OutboxClient> {
  return new OutboxClient(options).ready;
}

export { installOutbox, syncQueueName, type InstallOptions, type OutboxWorker } from './install';
export { resolveConfig, defaultConfig, type OutboxConfig, type ConflictStrategy } from './config';
export type * from './protocol';
export { outboxHeaders, eventChannelName } from './protocol';

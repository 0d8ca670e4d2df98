export { installOutbox, syncQueueName, type InstallOptions, type OutboxWorker } from './install';
export { resolveConfig, settingsFromScriptUrl, defaultSettings, type OutboxConfig, type OutboxSettings, type RouteSettings, type ConflictStrategy } from './config';
export type * from './protocol';
export { outboxHeaders, eventChannelName } from './protocol';

// `sw-outbox/sw`: the outbox inside an app's own service worker.
export { installOutbox, syncQueueName, type InstallOptions, type OutboxWorker } from './install';
export { resolveConfig, settingsFromScriptUrl, defaultSettings, type OutboxConfig, type OutboxSettings, type RouteSettings, type ConflictStrategy } from '../protocol';
export type * from '../protocol/wire';
export { outboxHeaders, eventChannelName } from '../protocol';

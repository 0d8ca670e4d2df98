/// <reference lib="webworker" />
// The drop-in worker (`dist/outbox-sw.js`): its settings come from its own URL, `?config=<JSON>`,
// written there by the page script, so a change of settings is a worker update like any other.
import { settingsFromScriptUrl } from '../protocol';
import { installOutbox } from './install';

declare const self: ServiceWorkerGlobalScope;

installOutbox(settingsFromScriptUrl(self.location.href), { takeControl: true });

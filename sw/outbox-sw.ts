/// <reference lib="webworker" />
// The drop-in worker (`dist/outbox-sw.js`): its settings come from its own URL, `?config=<JSON>`,
// written there by the page script, so a change of settings is a worker update like any other.
// Often an app's only worker, it keeps every same-origin page and asset (`pages: ['/']`) so the
// app opens offline; `pages: []` (or `data-pages=""`) turns that off.
import { settingsFromScriptUrl } from '../protocol';
import { installOutbox } from './install';

declare const self: ServiceWorkerGlobalScope;

installOutbox({ pages: ['/'], ...settingsFromScriptUrl(self.location.href) }, { takeControl: true });

/// <reference lib="webworker" />
import { expose } from 'comlink';
import { createControls, releaseHeld, type ControlParts } from './controls';
import { readPageMessage } from './messages';

declare const self: ServiceWorkerGlobalScope;

/**
 * Messages from pages: only same-origin ones, only of the exact shapes of the protocol
 * (messages.ts). `outbox:connect` opens a Comlink line on its port, with the controls bound to
 * the page that sent it; a nudge kicks replay; `credentials-changed` releases held writes; `keep`
 * hands over what the page loaded before the worker controlled it.
 */
export function listenForPageMessages(ready: Promise<ControlParts>, keepLoaded: (urls: string[]) => Promise<void>): void {
  self.addEventListener('message', (event) => {
    if (event.origin !== self.location.origin) {
      console.warn('sw-outbox: ignored a message from another origin', event.origin);
      return;
    }
    const message = readPageMessage(event.data, event.ports.length);
    if (message === 'foreign') return;
    if (message === 'malformed') {
      console.warn('sw-outbox: ignored a message of the wrong shape', event.data);
    } else if (message.type === 'outbox:connect') {
      const port = event.ports[0]!;
      const clientId = event.source instanceof Client ? event.source.id : '';
      event.waitUntil(ready.then((outbox) => expose(createControls(outbox, clientId), port)));
    } else if (message.type === 'outbox:keep') {
      event.waitUntil(keepLoaded(message.urls).catch(() => undefined));
    } else if (message.type === 'outbox:nudge') {
      event.waitUntil(ready.then(({ scheduler }) => scheduler.kick(message.force)));
    } else {
      event.waitUntil(ready.then(releaseHeld));
    }
  });
}

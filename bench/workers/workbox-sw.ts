/// <reference lib="webworker" />
// The anchor: how Workbox users queue writes offline, a NetworkOnly route with BackgroundSyncPlugin.
import { clientsClaim } from 'workbox-core';
import { registerRoute } from 'workbox-routing';
import { NetworkOnly } from 'workbox-strategies';
import { BackgroundSyncPlugin } from 'workbox-background-sync';

declare const self: ServiceWorkerGlobalScope;

self.addEventListener('install', () => void self.skipWaiting());
clientsClaim();

const plugin = new BackgroundSyncPlugin('bench-writes', { maxRetentionTime: 24 * 60 });
for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
  registerRoute(({ url }) => url.pathname.startsWith('/workbox/api/'), new NetworkOnly({ plugins: [plugin] }), method);
}

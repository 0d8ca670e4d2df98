/// <reference lib="webworker" />
export {};
// A worker that only passes requests through: what any service worker costs, before sw-outbox's part.
declare const self: ServiceWorkerGlobalScope;

self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('fetch', (event) => event.respondWith(fetch(event.request)));

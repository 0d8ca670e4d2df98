/// <reference lib="webworker" />
// The floor of any worker that answers writes itself: read the body, answer 202, store nothing.
// What the browser charges per fetch event; no queue can enqueue faster than this.
export {};
declare const self: ServiceWorkerGlobalScope;

self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('fetch', (event) => {
  if (event.request.method === 'GET') return;
  event.respondWith(event.request.arrayBuffer().then(() => new Response('{}', { status: 202 })));
});

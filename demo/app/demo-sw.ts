/// <reference lib="webworker" />
// The demo's own service worker: sw-outbox used as a library, next to the app's offline shell.
// This is how an app with its own worker (Workbox, vite-plugin-pwa) adds the outbox: the outbox
// answers the writes and the reads on its routes (kept for offline, with pending writes laid
// over them); the app's own handler below keeps its pages and assets.
import { installOutbox, settingsFromScriptUrl } from '../../sw/index';

declare const self: ServiceWorkerGlobalScope;

// The board's conflict strategy is the user's pick (the page registers this worker with it).
installOutbox({ routes: ['/api/'], ...settingsFromScriptUrl(self.location.href) }, { takeControl: true });
const shellCache = 'demo-shell-v1';

// The first visit loads the page before this worker controls it, so the shell is cached up front:
// the page and the assets it names.
self.addEventListener('install', (event) => event.waitUntil(precacheShell()));

async function precacheShell(): Promise<void> {
  const cache = await caches.open(shellCache);
  const page = await fetch('/');
  if (!page.ok) return;
  const html = await page.clone().text();
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1]!);
  await cache.put('/', page);
  await cache.addAll(assets);
}

// After the outbox's own handler (it answers writes and reads on /api/), this one answers the
// pages and assets: network first, so the board is fresh online, and the last copy offline.
self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/__test/') || url.pathname.startsWith('/api/')) return;
  event.respondWith(networkFirst(request, event));
});

async function networkFirst(request: Request, event: FetchEvent): Promise<Response> {
  const cache = await caches.open(shellCache);
  try {
    const response = await fetch(request);
    if (response.ok) event.waitUntil(cache.put(request, response.clone()));
    return response;
  } catch (error) {
    const cached = await cache.match(request, { ignoreSearch: request.mode === 'navigate' });
    if (cached) return cached;
    throw error;
  }
}

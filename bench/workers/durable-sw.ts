/// <reference lib="webworker" />
// The floor of any worker that keeps a write durable while it is on the wire, as an outbox must
// to replay it after a drop: read the body, add it to IndexedDB while it is sent, answer the page
// with the server's answer, delete it after. Nothing else: no lanes, versions, events or keys.
export {};
declare const self: ServiceWorkerGlobalScope;

const opened = new Promise<IDBDatabase>((resolve, reject) => {
  const request = indexedDB.open('durable-floor', 1);
  request.onupgradeneeded = () => request.result.createObjectStore('writes', { autoIncrement: true });
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

/** Runs one request in a readwrite transaction; resolves with its result once the transaction is durable. */
async function inTransaction<T extends IDBValidKey | undefined>(change: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const tx = (await opened).transaction('writes', 'readwrite');
  const request = change(tx.objectStore('writes'));
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
}

async function sendKept(request: Request, event: FetchEvent): Promise<Response> {
  const body = await request.arrayBuffer();
  const headers = [...request.headers];
  const added = inTransaction((store) => store.add({ url: request.url, method: request.method, headers, body }));
  const response = await fetch(request.url, { method: request.method, headers, body });
  event.waitUntil(added.then((key) => inTransaction((store) => store.delete(key as IDBValidKey))));
  return response;
}

self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('fetch', (event) => {
  if (event.request.method === 'GET') return;
  event.respondWith(sendKept(event.request, event));
});

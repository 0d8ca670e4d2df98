/// <reference lib="webworker" />
// The drop-in worker is often an app's only worker: `shell` lists the pages and assets it keeps so
// the app still opens offline (network first, the last copy when the network is down).

const shellCache = 'sw-outbox-shell';

/** Same-origin paths of the shell, normalised as the fetch handler compares them. */
export function shellPaths(shell: string[], origin: string): Set<string> {
  return new Set(shell.map((url) => new URL(url, origin)).filter((url) => url.origin === origin).map((url) => url.pathname));
}

export async function precacheShell(paths: Set<string>): Promise<void> {
  if (paths.size === 0) return;
  const cache = await caches.open(shellCache);
  await cache.addAll([...paths]);
}

export async function shellResponse(request: Request): Promise<Response> {
  const cache = await caches.open(shellCache);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(new URL(request.url).pathname, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(new URL(request.url).pathname);
    if (cached) return cached;
    throw error;
  }
}

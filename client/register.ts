import { Workbox } from 'workbox-window';
import { workerUrlWithSettings, type OutboxSettings } from '../protocol';

/**
 * Registers the worker with workbox-window and resolves once it (not an older version) controls
 * the page. Settings travel in the worker's URL, so a change of settings is an ordinary update.
 */
export async function registerWorker(scriptUrl: string, config: Partial<OutboxSettings> | null, scope?: string): Promise<Workbox> {
  const url = workerUrlWithSettings(scriptUrl, config, location.href);
  const workbox = new Workbox(url, scope ? { scope } : undefined);
  try {
    await workbox.register({ immediate: true });
  } catch (error) {
    // Offline (or the server is down), a new worker script cannot be fetched: the worker that
    // controls the page already keeps doing its job, and the update happens on a later visit.
    if (!navigator.serviceWorker.controller) throw error;
    console.warn('sw-outbox: the worker could not be updated now; the current one stays in charge', error);
    return workbox;
  }
  await controlledBy(url);
  return workbox;
}

function controlledBy(scriptUrl: string): Promise<void> {
  const container = navigator.serviceWorker;
  return new Promise((resolve) => {
    const check = (): void => {
      if (container.controller?.scriptURL !== scriptUrl) return;
      container.removeEventListener('controllerchange', check);
      resolve();
    };
    container.addEventListener('controllerchange', check);
    check();
  });
}

/** Resolves once a service worker controls this page. */
export function controlled(): Promise<void> {
  const container = navigator.serviceWorker;
  if (container.controller) return Promise.resolve();
  return new Promise((resolve) => container.addEventListener('controllerchange', () => resolve(), { once: true }));
}

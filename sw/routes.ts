import type { OutboxConfig } from './config';

const mutatingMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function isMutating(method: string): boolean {
  return mutatingMethods.has(method.toUpperCase());
}

/**
 * Whether a URL is on a configured route. Relative routes are same-origin paths; absolute ones
 * name their origin, which must also be listed in `origins` so nothing cross-origin is taken by accident.
 */
export function isOnRoute(url: URL, config: Pick<OutboxConfig, 'routes' | 'origins'>, selfOrigin: string): boolean {
  return config.routes.some((route) => {
    if (route.startsWith('/')) return url.origin === selfOrigin && url.pathname.startsWith(route);
    const prefix = new URL(route);
    const allowed = prefix.origin === selfOrigin || config.origins.includes(prefix.origin);
    return allowed && url.origin === prefix.origin && url.pathname.startsWith(prefix.pathname);
  });
}

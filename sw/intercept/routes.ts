import type { OutboxConfig, Route } from '../../protocol';

const mutatingMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** POST, PUT, PATCH and DELETE: the methods whose requests the outbox takes. */
export function isMutating(method: string): boolean {
  return mutatingMethods.has(method.toUpperCase());
}

/**
 * The route a URL is on, or null. Relative routes are same-origin paths; absolute ones name
 * their origin, which must also be listed in `origins`, so nothing cross-origin is taken by accident.
 */
export function routeFor(url: URL, config: Pick<OutboxConfig, 'routes' | 'origins'>, selfOrigin: string): Route | null {
  const matches = (route: Route): boolean => {
    if (route.path.startsWith('/')) return url.origin === selfOrigin && url.pathname.startsWith(route.path);
    const prefix = new URL(route.path);
    const allowed = prefix.origin === selfOrigin || config.origins.includes(prefix.origin);
    return allowed && url.origin === prefix.origin && url.pathname.startsWith(prefix.pathname);
  };
  return config.routes.find(matches) ?? null;
}

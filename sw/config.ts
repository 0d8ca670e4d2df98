/** How a route resolves a version conflict (SPEC §6). */
export type ConflictStrategy = 'server-wins' | 'client-wins' | 'last-write-wins' | 'merge' | 'manual';

/** Every setting of sw-outbox. One name each: camelCase here and in JSON, kebab-case as a data- attribute. */
export interface OutboxConfig {
  /** Path prefixes (same-origin) or absolute URL prefixes whose writes are taken. */
  routes: string[];
  /** Extra origins whose writes may be taken; cross-origin requests are never taken otherwise. */
  origins: string[];
  /** `etag` (If-Match), a JSON body field name holding the version, or `off`. */
  versioning: string;
  /** Body field holding a resource's id; a queued create gets its temporary id here. */
  idField: string;
  /** Body field holding the resource's own URL, when the API has one. */
  selfField: string | null;
  conflict: ConflictStrategy;
  /** Resources replayed in parallel. */
  concurrency: number;
  /** Server answers (not network failures) before a write is dead-lettered. */
  maxAttempts: number;
  maxAgeDays: number;
  maxBodyBytes: number;
  /** Longest a single send may take before it counts as a network failure. */
  timeoutMs: number;
  /** Cap of the exponential backoff. */
  maxBackoffMs: number;
}

export const defaultConfig: Readonly<OutboxConfig> = Object.freeze({
  routes: ['/api/'],
  origins: [],
  versioning: 'etag',
  idField: 'id',
  selfField: null,
  conflict: 'server-wins',
  concurrency: 6,
  maxAttempts: 10,
  maxAgeDays: 7,
  maxBodyBytes: 10 * 1024 * 1024,
  timeoutMs: 30_000,
  maxBackoffMs: 60_000,
});

// Strategies this version implements; the others of SPEC §6 are accepted once they exist.
const conflictStrategies: readonly ConflictStrategy[] = ['server-wins', 'client-wins'];

/**
 * Fills a partial config with defaults and checks every value, so a typo in a data- attribute or
 * a JSON file fails loudly at start instead of silently taking nothing.
 */
export function resolveConfig(partial: Partial<OutboxConfig> = {}): OutboxConfig {
  const unknown = Object.keys(partial).filter((key) => !(key in defaultConfig));
  if (unknown.length > 0) throw new TypeError(`sw-outbox: unknown setting(s) ${unknown.join(', ')}`);
  const config: OutboxConfig = { ...defaultConfig, ...withoutUndefined(partial) };
  config.routes = toList(config.routes);
  config.origins = toList(config.origins);
  if (!conflictStrategies.includes(config.conflict)) {
    throw new TypeError(`sw-outbox: conflict must be one of ${conflictStrategies.join(', ')}`);
  }
  for (const key of ['concurrency', 'maxAttempts', 'maxAgeDays', 'maxBodyBytes', 'timeoutMs', 'maxBackoffMs'] as const) {
    const value = Number(config[key]);
    if (!Number.isFinite(value) || value <= 0) throw new TypeError(`sw-outbox: ${key} must be a positive number`);
    config[key] = value;
  }
  return config;
}

/** Reads the config a drop-in worker was registered with: `outbox-sw.js?config=<JSON>`. */
export function configFromScriptUrl(scriptUrl: string): OutboxConfig {
  const raw = new URL(scriptUrl).searchParams.get('config');
  return resolveConfig(raw ? (JSON.parse(raw) as Partial<OutboxConfig>) : {});
}

function toList(value: string[] | string): string[] {
  const list = Array.isArray(value) ? value : String(value).split(',');
  return list.map((item) => item.trim()).filter((item) => item.length > 0);
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

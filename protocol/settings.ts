/**
 * Every setting of sw-outbox, its defaults and its checks, and how settings travel from a page to
 * the drop-in worker (in the worker's URL). docs/protocol.md has the table.
 */

/** How a route resolves a version conflict (docs/protocol.md, Conflicts). */
export type ConflictStrategy = 'server-wins' | 'client-wins' | 'last-write-wins' | 'merge' | 'manual';

/**
 * When the worker reads a resource before a write to it whose version it does not know
 * (docs/protocol.md, Verification): `waited` before writes that waited (replays), `always` before
 * live writes too, `off` never.
 */
export type VerifyMode = 'waited' | 'always' | 'off';

/**
 * Batch replay (docs/protocol.md, Batch replay): `auto` uses the batch URL a server names in its
 * `Outbox-Batch` header, `off` never batches, and a URL (a path, or absolute) batches there.
 */
export type BatchSetting = 'auto' | 'off' | (string & {});

/** A route with settings of its own; a plain string route takes the global ones. */
export interface RouteSettings {
  /** Same-origin path prefix, or absolute URL prefix. */
  path: string;
  coalesce?: boolean;
  conflict?: ConflictStrategy;
}

/** A route as the worker uses it: every setting decided. */
export type Route = Required<RouteSettings>;

/** Every setting of sw-outbox. One name each: camelCase here and in JSON, kebab-case as a data- attribute. */
export interface OutboxSettings {
  /** Path prefixes (same-origin) or absolute URL prefixes whose writes are taken, or routes with settings. */
  routes: (string | RouteSettings)[];
  /** Extra origins whose writes may be taken; cross-origin requests are never taken otherwise. */
  origins: string[];
  /** `etag` (If-Match), a JSON body field name holding the version, or `off`. */
  versioning: string;
  /** Body field holding a resource's id; a queued create gets its temporary id here. */
  idField: string;
  /** Body field holding the resource's own URL, when the API has one. */
  selfField: string | null;
  /** Read a resource before a write to it whose version is unknown, and compare it with the write's base. */
  verify: VerifyMode;
  /** Conflict strategy of routes that name none. */
  conflict: ConflictStrategy;
  /** Where to send writes many at a time: `auto` (the URL servers name in `Outbox-Batch`), `off`, or a batch URL (its origin's writes go there). */
  batch: BatchSetting;
  /** Most writes (each the head of its own resource's lane) in one batch. */
  batchSize: number;
  /** Merge unsent PATCH/PUT writes of one resource (routes that say nothing). Off where the count of writes matters. */
  coalesce: boolean;
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
  /** Same-origin pages and assets the worker keeps so the app opens offline (for apps with no worker of their own). */
  shell: string[];
  /**
   * Same-origin path prefixes whose navigations and GET assets the worker keeps, network first, so
   * the app opens offline (docs/protocol.md, Offline reads). The drop-in worker keeps `/` (all);
   * an app's own worker keeps its own caching (none). An empty list turns it off.
   */
  pages: string[];
  /** How long a read waits for the network before a kept copy answers (the network's answer still refreshes it). */
  readTimeoutMs: number;
  /** Cap of the reads on routes kept for offline use, in bytes: the least recently used go first. */
  maxKeptBytes: number;
  /** Content types of route reads that are kept: `application/json` takes every JSON type; others match by prefix. */
  keptTypes: string[];
  /** Query parameters that only bust caches (jQuery's `cache: false` adds `_`): a read is kept and found without them. */
  ignoredParams: string[];
}

/** The settings once resolved: every route with its own decided settings. */
export type OutboxConfig = Omit<OutboxSettings, 'routes'> & { routes: Route[] };

export const defaultSettings: Readonly<OutboxSettings> = Object.freeze({
  routes: ['/api/'],
  origins: [],
  versioning: 'etag',
  idField: 'id',
  selfField: null,
  verify: 'waited',
  conflict: 'merge',
  batch: 'auto',
  batchSize: 50,
  coalesce: true,
  concurrency: 6,
  maxAttempts: 10,
  maxAgeDays: 7,
  maxBodyBytes: 10 * 1024 * 1024,
  timeoutMs: 30_000,
  maxBackoffMs: 60_000,
  shell: [],
  pages: [],
  readTimeoutMs: 4_000,
  maxKeptBytes: 20 * 1024 * 1024,
  keptTypes: ['application/json'],
  ignoredParams: ['_'],
});

/** Settings that are numbers (a `data-` attribute or a JSON file may give them as strings). */
export const numericSettings = ['batchSize', 'concurrency', 'maxAttempts', 'maxAgeDays', 'maxBodyBytes', 'timeoutMs', 'maxBackoffMs', 'readTimeoutMs', 'maxKeptBytes'] as const;
/** Settings that are lists (comma-separated as a `data-` attribute). */
export const listSettings = ['routes', 'origins', 'shell', 'pages', 'keptTypes', 'ignoredParams'] as const;

const conflictStrategies: readonly ConflictStrategy[] = ['server-wins', 'client-wins', 'last-write-wins', 'merge', 'manual'];
const verifyModes: readonly VerifyMode[] = ['waited', 'always', 'off'];

/**
 * Fills partial settings with defaults and checks every value, so a typo in a data- attribute or
 * a JSON file fails loudly at start instead of silently taking nothing.
 */
export function resolveConfig(partial: Partial<OutboxSettings> = {}): OutboxConfig {
  const unknown = Object.keys(partial).filter((key) => !(key in defaultSettings));
  if (unknown.length > 0) throw new TypeError(`sw-outbox: unknown setting(s) ${unknown.join(', ')}`);
  const settings: OutboxSettings = { ...defaultSettings, ...withoutUndefined(partial) };
  for (const key of numericSettings) {
    const value = Number(settings[key]);
    if (!Number.isFinite(value) || value <= 0) throw new TypeError(`sw-outbox: ${key} must be a positive number`);
    settings[key] = value;
  }
  settings.coalesce = settings.coalesce === true || String(settings.coalesce) === 'true';
  const routes = toList(settings.routes).map((route): Route => {
    const own = typeof route === 'string' ? { path: route } : route;
    return { path: own.path, coalesce: own.coalesce ?? settings.coalesce, conflict: checkStrategy(own.conflict ?? settings.conflict) };
  });
  const strings = (list: string[] | string): string[] => toList(list).filter((item): item is string => typeof item === 'string');
  return {
    ...settings,
    conflict: checkStrategy(settings.conflict),
    verify: checkVerify(settings.verify),
    batch: checkBatch(settings.batch),
    routes,
    origins: strings(settings.origins),
    shell: strings(settings.shell),
    pages: strings(settings.pages),
    keptTypes: strings(settings.keptTypes),
    ignoredParams: strings(settings.ignoredParams),
  };
}

/** The query parameter of the worker's URL that carries its settings as JSON. */
const settingsParameter = 'config';

/**
 * The URL to register the worker under with these settings: `outbox-sw.js?config=<JSON>`. A
 * change of settings is then an ordinary worker update. `base` resolves a relative script URL.
 */
export function workerUrlWithSettings(scriptUrl: string, settings: Partial<OutboxSettings> | null, base?: string): string {
  const url = new URL(scriptUrl, base);
  if (settings && Object.keys(settings).length > 0) url.searchParams.set(settingsParameter, JSON.stringify(settings));
  return url.href;
}

/** The settings a worker was registered with, read back from its own URL (see `workerUrlWithSettings`). */
export function settingsFromScriptUrl(scriptUrl: string): Partial<OutboxSettings> {
  const raw = new URL(scriptUrl).searchParams.get(settingsParameter);
  return raw ? (JSON.parse(raw) as Partial<OutboxSettings>) : {};
}

function checkStrategy(strategy: ConflictStrategy): ConflictStrategy {
  if (!conflictStrategies.includes(strategy)) throw new TypeError(`sw-outbox: conflict must be one of ${conflictStrategies.join(', ')}`);
  return strategy;
}

function checkVerify(mode: VerifyMode): VerifyMode {
  if (!verifyModes.includes(mode)) throw new TypeError(`sw-outbox: verify must be one of ${verifyModes.join(', ')}`);
  return mode;
}

function checkBatch(batch: BatchSetting): BatchSetting {
  const url = String(batch);
  if (url === 'auto' || url === 'off' || url.startsWith('/') || /^https?:\/\//.test(url)) return url;
  throw new TypeError('sw-outbox: batch must be auto, off, a path starting with / or an http(s) URL');
}

function toList<T>(value: T[] | string): (T | string)[] {
  const list: (T | string)[] = Array.isArray(value) ? value : String(value).split(',');
  return list.map((item) => (typeof item === 'string' ? item.trim() : item)).filter((item) => item !== '');
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

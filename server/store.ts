/** A response as kept for replay: its status, the headers that describe it, its exact bytes. */
export interface StoredResponse {
  status: number;
  headers: Array<[string, string]>;
  body: Uint8Array;
}

/** What identifies one use of a key: who sent it, the key, and the request it was sent with. */
export interface KeyRequest {
  scope: string;
  key: string;
  /** Method, path and a digest of the body (see fingerprint.ts). */
  fingerprint: string;
}

/** A key this process holds; `token` fences it, so a holder whose lease lapsed cannot finish it. */
export interface KeyClaim extends KeyRequest {
  token: string;
}

export type ClaimResult =
  | { kind: 'claimed'; claim: KeyClaim }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'mismatch' }
  | { kind: 'running'; retryAfterSeconds: number };

/** How the work of a keyed transaction ends it. */
export interface KeyedOutcome<T> {
  /** The answer recorded against the key as the transaction commits; undefined rolls all of it back, the claim too. */
  record: StoredResponse | undefined;
  /** What the transaction resolves with. */
  value: T;
}

/** A keyed transaction's result: the work's value when the key was this delivery's, else why not. */
export type KeyedResult<T> = { kind: 'ran'; value: T } | Exclude<ClaimResult, { kind: 'claimed' }>;

/**
 * Where keys live. A claim is atomic (two deliveries of one key never both get `claimed`), and
 * finishing is fenced by the claim's token: it reports false when the claim was lost meanwhile.
 * `Tx` is the transaction handle the store gives the app (void for stores without transactions).
 */
export interface IdempotencyStore<Tx> {
  claim(request: KeyRequest): Promise<ClaimResult>;
  /**
   * One transaction that runs `work` and ends by claiming `request`'s key with the answer `work`
   * settles on, for `transactional` requests: the app's write, the claim and its answer commit
   * together or not at all, so the claim needs no lease. When the key turns out not to be this
   * delivery's (a replay, another payload, a leased holder still running, or a concurrent delivery
   * that commits first, which it waits for) the transaction rolls back, `work` and all, and the
   * result says why; so it does when `work` throws or settles on no record (an answer not kept)
   * while the key is another delivery's, as a duplicate's work may do when its write is there
   * already. `work` is called once: the request it reads may be read only once. Stores whose
   * transactions are not the database's (memory) leave it out, and the kit claims first.
   */
  keyedTransaction?<T>(request: KeyRequest, work: (tx: Tx) => Promise<KeyedOutcome<T>>): Promise<KeyedResult<T>>;
  /** Keeps `outcome` for replay, or with undefined releases the key so a retry runs again. */
  finish(claim: KeyClaim, outcome: StoredResponse | undefined): Promise<boolean>;
  /** Runs `work` in one transaction of the app's database (a plain call for the memory store). */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** `finish`, as part of the transaction `tx`: the app's write and the key commit together. */
  finishIn(tx: Tx, claim: KeyClaim, outcome: StoredResponse | undefined): Promise<boolean>;
  /** For stores whose claims are timed leases: how often a running request renews its claim. */
  readonly renewEveryMs?: number;
  renew?(claim: KeyClaim): Promise<boolean>;
  /** Forgets expired keys; returns how many went. Stores also run it on a timer. */
  cleanup(): Promise<number>;
  /** Stops the timers and closes what the store opened itself (not a database it was given). */
  close(): Promise<void>;
}

/** Settings every store shares. */
export interface StoreTimes {
  /** How long a key is remembered after its first use; default 24 h. */
  ttlMs?: number;
  /** How often expired keys are deleted; default hourly. */
  cleanupEveryMs?: number;
}

export const DAY_MS = 24 * 60 * 60 * 1000;
export const HOUR_MS = 60 * 60 * 1000;

/** Runs `cleanup` now and every `everyMs` without keeping the process alive; returns a stopper. */
export function scheduleCleanup(cleanup: () => Promise<number>, everyMs: number): () => void {
  const run = (): void => void cleanup().catch((error: unknown) => console.error('sw-outbox/server: key cleanup failed:', error));
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

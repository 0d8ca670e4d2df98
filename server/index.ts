// sw-outbox/server: exactly-once in effect for Node servers (docs/server.md).
export { exactlyOnce } from './core';
export type { ExactlyOnceHandler, FetchHandler, WriteContext } from './core';
export { finalOutcome, optionalForWrites } from './options';
export type { ExactlyOnceOptions, KeyPolicy } from './options';
export { checkPreconditions, strongETag } from './conditions';
export type { ConditionalRoute, CurrentResource, PreconditionVerdict } from './conditions';
export { parseIdempotencyKey } from './key';
export type { KeySyntax, ParsedKey } from './key';
export { problemJson } from './problem';
export type { Problem, ProblemKind, ProblemRenderer } from './problem';
export { DEFAULT_REPLAYED_HEADERS, fingerprintOf } from './fingerprint';
export type { ClaimResult, IdempotencyStore, KeyClaim, KeyRequest, StoreTimes, StoredResponse } from './store';
export { memoryStore } from './memory-store';
export { pgliteStore } from './pglite-store';
export type { PgliteStoreOptions } from './pglite-store';
export { pgStore } from './pg-store';
export type { PgStoreOptions } from './pg-store';
export type { SqlStoreSettings } from './sql-store';

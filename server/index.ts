// sw-outbox/server: exactly-once in effect for Node servers (docs/server.md). The stores that need a
// driver live in entries of their own (`sw-outbox/server/pg`, `sw-outbox/server/pglite`), so this one
// compiles and runs with no optional peer installed.
export { exactlyOnce } from './core';
export { DEFAULT_BATCH_PATH, batchHandler } from './batch';
export type { BatchHandlerOptions, BatchOptions } from './batch';
// The batch format itself, for a server that speaks it without the kit (docs/protocol.md, Batch replay).
export { batchContentType, batchHeader } from '../protocol/names';
export { BatchFormatError, decodeBatch, decodeBatchAnswer, defaultBatchLimits, encodeBatch, encodeBatchAnswer } from '../protocol/batch';
export type { BatchLimits, BatchResult, BatchWrite, BodyEncoding, WireBatch, WireBatchAnswer, WireBody, WireResult, WireWrite } from '../protocol/batch';
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
export type { ClaimResult, IdempotencyStore, KeyClaim, KeyRequest, KeyedOutcome, KeyedResult, StoreTimes, StoredResponse } from './store';
export { memoryStore } from './memory-store';
export type { SqlStoreSettings } from './sql-store';
export type { RouteContext } from './route-context';

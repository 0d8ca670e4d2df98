// sw-outbox/server/pglite: the PGlite (embedded Postgres) store. Its own entry point, so that only
// apps that use it need `@electric-sql/pglite` installed. Its types need not PGlite's (see pglite-store.ts).
export { pgliteStore } from './pglite-store';
export type { PgliteDatabase, PgliteStoreOptions, PgliteTransaction } from './pglite-store';

// sw-outbox/server/pglite: the PGlite (embedded Postgres) store. Its own entry point, so that only
// apps that use it need `@electric-sql/pglite` installed to run and to compile.
export { pgliteStore } from './pglite-store';
export type { PgliteStoreOptions } from './pglite-store';

// sw-outbox/server/pg: the Postgres store, through `pg`. Its own entry point, so that only apps
// that use it need `pg` (and `@types/pg`) installed to run and to compile.
export { pgStore } from './pg-store';
export type { PgStoreOptions } from './pg-store';

import type { Context, MiddlewareHandler, Next } from 'hono';
import { exactlyOnce } from './core';
import type { WriteContext } from './core';
import type { ExactlyOnceOptions } from './options';

/** The Hono environment the middleware adds: `c.get('exactlyOnce')` in the routes after it. */
export interface ExactlyOnceEnv<Tx> {
  Variables: { exactlyOnce: WriteContext<Tx> };
}

/**
 * A Hono 4 middleware: `app.use('/api/*', honoExactlyOnce({ store }))`. The routes behind it run
 * only when the kit lets the request through; they use `c.get('exactlyOnce').transaction(…)`
 * for the one-transaction write. (Hono is Fetch-standard: `exactlyOnce` also serves it as it is.)
 */
export function honoExactlyOnce<Tx>(options: ExactlyOnceOptions<Tx>): MiddlewareHandler<ExactlyOnceEnv<Tx>> {
  const waiting = new WeakMap<Request, { c: Context<ExactlyOnceEnv<Tx>>; next: Next }>();
  const run = exactlyOnce<Tx>(async (request, context) => {
    const downstream = waiting.get(request);
    if (downstream === undefined) throw new Error('sw-outbox/server: hono middleware lost its request');
    downstream.c.set('exactlyOnce', context);
    await downstream.next();
    return downstream.c.res;
  }, options);
  return async (c, next) => {
    waiting.set(c.req.raw, { c, next });
    return run(c.req.raw);
  };
}

import type { MiddlewareHandler } from 'hono';
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
  return async (c, next) => {
    const run = exactlyOnce<Tx>(async (request, context) => {
      // The kit read the body (for its digest) and hands on a request rebuilt from those bytes.
      c.req.raw = request;
      c.set('exactlyOnce', context);
      await next();
      return c.res;
    }, options);
    // Assigned, not returned: once a route has answered, Hono keeps c.res over a returned response.
    c.res = await run(c.req.raw);
  };
}

import type { MiddlewareHandler } from 'hono';
import { batchEndpoint } from './batch';
import { exactlyOnceSingle } from './core';
import type { WriteContext } from './core';
import type { ExactlyOnceOptions } from './options';
import { problemJson } from './problem';

/** The Hono environment the middleware adds: `c.get('exactlyOnce')` in the routes after it. */
export interface ExactlyOnceEnv<Tx> {
  Variables: { exactlyOnce: WriteContext<Tx> };
}

/** Settings of `honoExactlyOnce`: the kit's, and the app whose routes a batch's writes go through. */
export interface HonoExactlyOnceOptions<Tx> extends ExactlyOnceOptions<Tx> {
  /**
   * The Hono app the middleware is on (`app`, or anything with its `fetch`): the batch URL sends each
   * write through it, this middleware included, as a request of its own. Without it the middleware
   * does not answer batches.
   */
  app?: { fetch(request: Request, env?: unknown): Response | Promise<Response> };
}

/**
 * A Hono 4 middleware: `app.use('/api/*', honoExactlyOnce({ store, app }))`. The routes behind it run
 * only when the kit lets the request through; they use `c.get('exactlyOnce').transaction(…)`
 * for the one-transaction write. With `app`, it answers the batch URL (default `/api/$batch`, which
 * the middleware's path must cover) and names it on every answer. (Hono is Fetch-standard:
 * `exactlyOnce` also serves it as it is.)
 */
export function honoExactlyOnce<Tx>(options: HonoExactlyOnceOptions<Tx>): MiddlewareHandler<ExactlyOnceEnv<Tx>> {
  const batch = options.app === undefined ? undefined : batchEndpoint(options.batch, options.problem ?? problemJson);
  const app = options.app;
  return async (c, next) => {
    if (batch !== undefined && app !== undefined && batch.handles(c.req.url)) {
      c.res = batch.advertise(await batch.answer(c.req.raw, async (write) => app.fetch(write, c.env)));
      return;
    }
    const run = exactlyOnceSingle<Tx>(async (request, context) => {
      // The kit read the body (for its digest) and hands on a request rebuilt from those bytes.
      c.req.raw = request;
      c.set('exactlyOnce', context);
      await next();
      return c.res;
    }, options);
    // Assigned, not returned: once a route has answered, Hono keeps c.res over a returned response.
    const answer = await run(c.req.raw);
    c.res = batch === undefined ? answer : batch.advertise(answer);
  };
}

import type { NextFunction, Request as ExpressRequest, RequestHandler, Response as ExpressResponse } from 'express';
import type { FetchHandler } from './core';
import { BodyTooLargeError, failed, readNodeBody, sendResponse, toRequest } from './node';
import type { NodeAdapterOptions } from './node';

/**
 * An Express 5 handler that serves a Fetch handler (such as one made by `exactlyOnce`):
 * `app.use('/api', expressHandler(handler))`. Mount it without a JSON or text body parser (or
 * behind `express.raw()`): the kit needs the body's exact bytes. A body over `maxBodyBytes` is
 * answered 413; other failures go to `next(error)`.
 */
export function expressHandler(handler: FetchHandler, options: NodeAdapterOptions = {}): RequestHandler {
  return (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    void (async () => {
      try {
        const body = await bodyOf(req, options.maxBodyBytes);
        await sendResponse(res, await handler(toRequest(req, body, req.originalUrl)));
      } catch (error) {
        if (error instanceof BodyTooLargeError) failed(res, error);
        else next(error);
      }
    })();
  };
}

async function bodyOf(req: ExpressRequest, limit: number | undefined): Promise<Buffer> {
  const parsed: unknown = req.body;
  if (Buffer.isBuffer(parsed)) return parsed;
  if (req.readableEnded && parsed !== undefined) {
    throw new Error('sw-outbox/server: the body was already parsed; mount expressHandler before any body parser other than express.raw()');
  }
  return readNodeBody(req, limit);
}

import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError } from './node';

/** Thrown when a request's body was read before the kit could see its bytes (a body parser ran first). */
export class BodyAlreadyReadError extends Error {
  constructor() {
    super('sw-outbox/server: the request body was already read; put the exactly-once middleware before any body parser');
  }
}

/** Whether a request says it carries a body (`Content-Length` above 0, or chunked). */
export function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(req.headers['content-length'] ?? 0);
  return Number.isFinite(length) && length > 0;
}

/**
 * Reads a request's whole body and puts it back into the stream, so the body parser after the kit
 * (express.json(), multer, a hand-written `req.on('data')`…) reads the same bytes as if nobody had.
 * The bytes go back with `unshift` in the same tick as the last read, before the stream could
 * emit 'end': the stream still looks unread. Over `limitBytes` it stops with BodyTooLargeError.
 */
export function readBodyAndPutBack(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  if (!hasBody(req)) return Promise.resolve(Buffer.alloc(0));
  if (req.readableEnded) return Promise.reject(new BodyAlreadyReadError());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      req.off('readable', onReadable);
      req.off('error', onError);
      req.off('end', onEnd);
    };
    const onError = (error: Error): void => {
      stop();
      reject(error);
    };
    // 'end' comes only when the body was empty after all (nothing to put back).
    const onEnd = (): void => {
      stop();
      resolve(Buffer.concat(chunks));
    };
    const onReadable = (): void => {
      for (let chunk: Buffer | null = req.read(); chunk !== null; chunk = req.read()) {
        size += chunk.length;
        if (size > limitBytes) return onError(new BodyTooLargeError(limitBytes));
        chunks.push(chunk);
      }
      // `complete`: the message's last byte has arrived, so the read above took the whole body.
      if (!req.complete) return;
      stop();
      const body = Buffer.concat(chunks);
      if (body.length > 0) req.unshift(body);
      resolve(body);
    };
    req.on('readable', onReadable);
    req.on('error', onError);
    req.on('end', onEnd);
  });
}

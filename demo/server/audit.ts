import type { Transaction } from '@electric-sql/pglite';
import { appendWrite } from './db';
import type { ApiRequest } from './route';

/** Appends an applied write to the audit log, in the write's own transaction. */
export function recordWrite(tx: Transaction, request: ApiRequest, todoId: number, status: number): Promise<void> {
  return appendWrite(tx, {
    method: request.method,
    path: request.path,
    todoId,
    idempotencyKey: request.idempotencyKey ?? null,
    status,
    body: auditText(request.body),
  });
}

/** The body as text where it is text; binary bodies (which Postgres text cannot hold) as `base64:…`. */
function auditText(body: Buffer): string {
  const text = body.toString('utf8');
  const isText = !text.includes('\u0000') && Buffer.from(text, 'utf8').equals(body);
  return isText ? text : `base64:${body.toString('base64')}`;
}

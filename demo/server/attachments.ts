import type { Transaction } from '@electric-sql/pglite';
import { findAttachment, findTodo, insertAttachment } from './db';
import { jsonError, jsonResponse } from './http';
import type { ApiResponse } from './http';
import type { ApiRequest, Route } from './route';
import { recordWrite } from './audit';
import { parseTodoId } from './todos';

// Files attached to todos: any content type, stored byte for byte, so clients can check that what
// they sent (a multipart form, a blob, plain text) arrived exactly as sent.
const UPLOAD_PATH = /^\/api\/todos\/([^/]+)\/attachments\/?$/;
const ATTACHMENT_PATH = /^\/api\/attachments\/([^/]+)\/?$/;

export function matchAttachmentRoute(pathname: string): Route | undefined {
  const upload = UPLOAD_PATH.exec(pathname);
  if (upload) {
    const todoId = parseTodoId(upload[1] ?? '');
    return { writes: { POST: (tx, request) => attach(tx, request, todoId) } };
  }
  const attachment = ATTACHMENT_PATH.exec(pathname);
  if (!attachment) return undefined;
  const id = parseTodoId(attachment[1] ?? '');
  return {
    read: async (db) => {
      const found = id === undefined ? undefined : await findAttachment(db, id);
      if (!found) return jsonError(404, 'not found');
      // The bytes travel as base64 in JSON: responses here are text.
      return jsonResponse(200, { id: found.id, todoId: found.todoId, contentType: found.contentType, size: found.body.length, base64: found.body.toString('base64') });
    },
    writes: {},
  };
}

async function attach(tx: Transaction, request: ApiRequest, todoId: number | undefined): Promise<ApiResponse> {
  const todo = todoId === undefined ? undefined : await findTodo(tx, todoId);
  if (!todo) return jsonError(404, 'not found');
  const contentType = request.headers.get('content-type') ?? 'application/octet-stream';
  const attachment = await insertAttachment(tx, todo.id, contentType, request.body);
  await recordWrite(tx, request, todo.id, 201);
  return jsonResponse(201, { id: attachment.id, todoId: todo.id, contentType, size: attachment.body.length }, { Location: `/api/attachments/${attachment.id}` });
}

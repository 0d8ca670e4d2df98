import type { Transaction } from '@electric-sql/pglite';
import { deleteTodo, findTodo, insertTodo, listTodos, updateTodo } from './db';
import type { Todo, TodoFields } from './db';
import { strongETag } from '../../server';
import type { ConditionalRoute } from '../../server';
import type { Queryable } from './db';
import { emptyResponse, fetchResponse, isJsonContentType, jsonError, jsonResponse } from './http';
import type { ApiResponse } from './http';
import type { ApiRequest, Route } from './route';
import { recordWrite } from './audit';

const COLLECTION_PATH = '/api/todos';
const ITEM_PATH = /^\/api\/todos\/([^/]+)\/?$/;
const MAX_ID = 2_147_483_647; // Postgres integer; larger ids cannot exist, so they are simply not found.

export function etagOf(todo: Todo): string {
  return strongETag(todo.version);
}

export function matchTodoRoute(pathname: string): Route | undefined {
  if (pathname === COLLECTION_PATH || pathname === `${COLLECTION_PATH}/`) return collectionRoute;
  const match = ITEM_PATH.exec(pathname);
  if (match === null) return undefined;
  return itemRoute(parseTodoId(match[1] ?? ''));
}

/** Client-made temporary ids are not numbers; they resolve to "not found" rather than an error. */
export function parseTodoId(segment: string): number | undefined {
  if (!/^[1-9][0-9]{0,9}$/.test(segment)) return undefined;
  const id = Number(segment);
  return id <= MAX_ID ? id : undefined;
}

const collectionRoute: Route = {
  read: async (db) => jsonResponse(200, await listTodos(db)),
  writes: { POST: createTodo },
};

function itemRoute(id: number | undefined): Route {
  return {
    read: async (db) => {
      const todo = id === undefined ? undefined : await findTodo(db, id);
      return todo === undefined ? notFound() : representation(200, todo);
    },
    writes: {
      PATCH: (tx, request) => patchTodo(tx, request, id),
      PUT: (tx, request) => replaceTodo(tx, request, id),
      DELETE: (tx, request) => removeTodo(tx, request, id),
    },
    conditional: (db) => todoConditions(db, id),
  };
}

/** Writes to an item are conditional on its version: the kit checks If-Match against its ETag. */
function todoConditions(db: Queryable, id: number | undefined): ConditionalRoute<Transaction> {
  return {
    load: async (tx) => {
      const todo = id === undefined ? undefined : await findTodo(tx ?? db, id);
      return todo === undefined ? null : { version: todo.version, representation: () => fetchResponse(representation(200, todo)) };
    },
  };
}

async function createTodo(tx: Transaction, request: ApiRequest): Promise<ApiResponse> {
  const parsed = parseJsonObject(request);
  if ('response' in parsed) return parsed.response;
  // Clients send temporary ids and stale versions in create bodies; only the known fields count.
  const fields = fieldsFrom(parsed.body, { title: undefined, done: false, notes: '' });
  if (typeof fields === 'string') return jsonError(422, fields);
  const todo = await insertTodo(tx, fields);
  const response = representation(201, todo, { Location: `${COLLECTION_PATH}/${todo.id}` });
  await recordWrite(tx, request, todo.id, response.status);
  return response;
}

/** PATCH merges over the current item; PUT replaces it, so absent fields fall back to defaults. */
function writeTodo(mode: 'merge' | 'replace') {
  return async (tx: Transaction, request: ApiRequest, id: number | undefined): Promise<ApiResponse> => {
    const parsed = parseJsonObject(request);
    if ('response' in parsed) return parsed.response;
    const current = id === undefined ? undefined : await findTodo(tx, id);
    if (current === undefined) return notFound();
    const conflict = checkBodyVersion(current, parsed.body);
    if (conflict) return conflict;
    const fields = fieldsFrom(parsed.body, mode === 'merge' ? current : { title: undefined, done: false, notes: '' });
    if (typeof fields === 'string') return jsonError(422, fields);
    return applyUpdate(tx, request, current.id, fields);
  };
}

const patchTodo = writeTodo('merge');
const replaceTodo = writeTodo('replace');

async function removeTodo(tx: Transaction, request: ApiRequest, id: number | undefined): Promise<ApiResponse> {
  const current = id === undefined ? undefined : await findTodo(tx, id);
  if (current === undefined) return notFound();
  await deleteTodo(tx, current.id);
  const response = emptyResponse(204);
  await recordWrite(tx, request, current.id, response.status);
  return response;
}

async function applyUpdate(tx: Transaction, request: ApiRequest, id: number, fields: TodoFields): Promise<ApiResponse> {
  const todo = await updateTodo(tx, id, fields);
  const response = representation(200, todo);
  await recordWrite(tx, request, todo.id, response.status);
  return response;
}


/** A numeric body `version` other than the current one is a 409 with the current representation. */
function checkBodyVersion(current: Todo, body: Record<string, unknown>): ApiResponse | undefined {
  if (typeof body.version === 'number' && body.version !== current.version) return representation(409, current);
  return undefined;
}

type FieldDefaults = { title: string | undefined; done: boolean; notes: string };

/**
 * Merges the body's title/done/notes over `base` (JSON merge patch: null resets to the default).
 * Returns a validation message instead of fields when the body is invalid.
 */
function fieldsFrom(body: Record<string, unknown>, base: FieldDefaults): TodoFields | string {
  const title = 'title' in body ? body.title : base.title;
  if (typeof title !== 'string' || title.trim() === '') return 'title must be a non-empty string';
  const done = 'done' in body ? (body.done ?? false) : base.done;
  if (typeof done !== 'boolean') return 'done must be a boolean';
  const notes = 'notes' in body ? (body.notes ?? '') : base.notes;
  if (typeof notes !== 'string') return 'notes must be a string';
  return { title, done, notes };
}

type ParsedBody = { body: Record<string, unknown> } | { response: ApiResponse };

function parseJsonObject(request: ApiRequest): ParsedBody {
  if (!isJsonContentType(request.headers.get('content-type') ?? undefined)) {
    return { response: jsonError(415, 'Content-Type must be application/json') };
  }
  let value: unknown;
  try {
    value = JSON.parse(request.body.toString('utf8'));
  } catch {
    return { response: jsonError(400, 'malformed JSON') };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { response: jsonError(422, 'body must be a JSON object') };
  }
  return { body: value as Record<string, unknown> };
}

function representation(status: number, todo: Todo, headers: Record<string, string> = {}): ApiResponse {
  return jsonResponse(status, todo, { ETag: etagOf(todo), ...headers });
}

function notFound(): ApiResponse {
  return jsonError(404, 'not found');
}

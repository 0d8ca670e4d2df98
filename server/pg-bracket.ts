import { createHash } from 'node:crypto';
import type { Pool, PoolClient, QueryResult } from 'pg';
import { inTransaction } from './pg-client';
import { inlineParams, sqlLiteral } from './sql-literal';
import type { BracketEnd, SqlStatement } from './sql-store';

/** SQLSTATEs of a prepared statement missing (26000) or already there (42P05): the connection is not as remembered. */
const PREPARED_MISMATCH = new Set(['26000', '42P05']);

/** The statements each connection has prepared for brackets (a connection is one `pg` client for its life). */
const preparedOn = new WeakMap<PoolClient, Set<string>>();

/**
 * `SqlDriver.bracketed` on `pg`, in the round trips of the app's own transaction: `BEGIN` and the
 * opening go as one query, the closing and `COMMIT` as another. `pg` does not pipeline, and a query
 * of several statements goes by the simple protocol, which takes no parameters: so the statements
 * are prepared on the connection (`PREPARE`, with the first opening) and run as `EXECUTE` with
 * their values written as literals (escaped by the connection, which `pg` always opens in UTF-8).
 * Prepared, they are parsed and planned once per connection, not once per write.
 * When the connection does not have what it was remembered to have (a pooler in front of Postgres
 * that hands out another server connection, a `DEALLOCATE`), the transaction starts again with the
 * statements written out in full.
 */
export async function pgBracketed<Row, T>(
  pool: Pool,
  opening: SqlStatement[],
  closings: readonly string[],
  work: (client: PoolClient, opened: Row[]) => Promise<BracketEnd<T>>,
): Promise<T> {
  return inTransaction(pool, async (client) => {
    let form: Form = preparedForm(client, [...opening.map((statement) => statement.sql), ...closings]);
    let opened: QueryResult;
    try {
      opened = await begin(client, form, opening);
    } catch (error) {
      if (!PREPARED_MISMATCH.has((error as { code?: string }).code ?? '')) throw error;
      await client.query('ROLLBACK');
      preparedOn.delete(client);
      form = inlineForm(client);
      opened = await begin(client, form, opening);
    }
    const { value, closing } = await work(client, opened.rows as Row[]);
    await client.query(closing === undefined ? 'ROLLBACK' : `${form.statement(closing)}; COMMIT`);
    return value;
  });
}

/** How a bracket's statements are written on one connection. */
interface Form {
  /** What goes between BEGIN and the opening. */
  preamble: string;
  /** A statement as sent: EXECUTE of a prepared one, or written out. */
  statement(statement: SqlStatement): string;
  /** Called once the preamble is on its way. */
  sent(): void;
}

/** BEGIN and the opening; the result of its last statement. */
async function begin(client: PoolClient, form: Form, opening: SqlStatement[]): Promise<QueryResult> {
  const text = `BEGIN; ${form.preamble}${opening.map((statement) => form.statement(statement)).join('; ')}`;
  form.sent();
  const results = resultsOf(await client.query(text));
  return results[results.length - 1]!;
}

/** Statements run as EXECUTE of the connection's prepared ones, preparing (in the same query) those it lacks. */
function preparedForm(client: PoolClient, sqls: string[]): Form {
  const prepared = preparedOn.get(client) ?? new Set<string>();
  preparedOn.set(client, prepared);
  const missing = sqls.filter((sql) => !prepared.has(sql));
  const inline = inlineForm(client);
  return {
    preamble: missing.map((sql) => `PREPARE ${nameOf(sql)} AS ${sql}; `).join(''),
    statement: (statement) =>
      sqls.includes(statement.sql) ? `EXECUTE ${nameOf(statement.sql)}(${statement.params.map((value) => sqlLiteral(value, escapeWith(client))).join(', ')})` : inline.statement(statement),
    // Remembered before the query's outcome is known: PREPARE is not undone when the transaction
    // fails, and a connection that turns out not to have them is caught as a mismatch.
    sent: () => missing.forEach((sql) => prepared.add(sql)),
  };
}

/** Statements written out in full, their values inlined. */
function inlineForm(client: PoolClient): Form {
  return { preamble: '', statement: ({ sql, params }) => inlineParams(sql, params, escapeWith(client)), sent: () => undefined };
}

function escapeWith(client: PoolClient): (text: string) => string {
  return (text) => client.escapeLiteral(text);
}

const names = new Map<string, string>();

/** A bracket statement's prepared name; apart from the names `pg` gives the store's other statements. */
function nameOf(sql: string): string {
  let name = names.get(sql);
  if (name === undefined) {
    name = `sw_outbox_bracket_${createHash('sha256').update(sql).digest('hex').slice(0, 16)}`;
    names.set(sql, name);
  }
  return name;
}

/** The results of a query, one per statement (`pg` gives a lone result for a one-statement query). */
function resultsOf(result: QueryResult | QueryResult[]): QueryResult[] {
  return Array.isArray(result) ? result : [result];
}

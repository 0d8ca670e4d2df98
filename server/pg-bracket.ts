import { createHash } from 'node:crypto';
import type { Pool, PoolClient, QueryResult } from 'pg';
import { inTransaction } from './pg-client';
import { inlineParams, sqlLiteral } from './sql-literal';
import type { EscapeLiteral } from './sql-literal';
import type { BracketEnd, SqlStatement } from './sql-store';

// SQLSTATEs of a prepared statement missing (26000) or already there (42P05): the connection is not as remembered.
const PREPARED_MISMATCH = new Set(['26000', '42P05']);

// The statements each connection has prepared for brackets (a connection is one `pg` client for its life).
const preparedOn = new WeakMap<PoolClient, Set<string>>();

// `SqlDriver.bracketed` on `pg`, in the round trips of the app's own transaction: `BEGIN` and the
// opening go as one query, the closing and `COMMIT` as another. `pg` does not pipeline, and a query
// of several statements goes by the simple protocol, which takes no parameters: so the statements
// are prepared on the connection (`PREPARE`, with the first opening) and run as `EXECUTE` with
// their values written as literals (escaped by the connection, which `pg` always opens in UTF-8).
// Prepared, they are parsed and planned once per connection, not once per write.
// When the connection does not have what it was remembered to have (a pooler in front of Postgres
// that hands out another server connection, a `DEALLOCATE`), the transaction starts again with the
// statements written out in full.
export async function pgBracketed<Row, T>(
  pool: Pool,
  opening: SqlStatement[],
  closings: readonly string[],
  work: (client: PoolClient, opened: Row[]) => Promise<BracketEnd<T>>,
): Promise<T> {
  return inTransaction(pool, async (client) => {
    const escape = (text: string): string => client.escapeLiteral(text);
    const sqls = [...opening.map((statement) => statement.sql), ...closings];
    let prepared = preparedOn.get(client);
    if (prepared === undefined) preparedOn.set(client, (prepared = new Set()));
    let opened: QueryResult;
    try {
      opened = await begin(client, escape, opening, sqls, prepared);
    } catch (error) {
      if (!PREPARED_MISMATCH.has((error as { code?: string }).code ?? '')) throw error;
      await client.query('ROLLBACK');
      preparedOn.delete(client);
      prepared = undefined;
      opened = await begin(client, escape, opening, sqls, prepared);
    }
    const { value, closing } = await work(client, opened.rows as Row[]);
    await client.query(closing === undefined ? 'ROLLBACK' : `${textOf(closing, escape, prepared)}; COMMIT`);
    return value;
  });
}

// BEGIN and the opening, in one query; the result of its last statement. With `prepared` (what the
// connection has prepared), the statements it lacks are prepared first, in the same query; without,
// every statement is written out.
async function begin(client: PoolClient, escape: EscapeLiteral, opening: SqlStatement[], sqls: string[], prepared: Set<string> | undefined): Promise<QueryResult> {
  let text = 'BEGIN';
  if (prepared !== undefined) {
    for (const sql of sqls) if (!prepared.has(sql)) text += `; PREPARE ${nameOf(sql)} AS ${sql}`;
    // Remembered before the query's outcome is known: PREPARE is not undone when the transaction
    // fails, and a connection that turns out not to have them is caught as a mismatch.
    for (const sql of sqls) prepared.add(sql);
  }
  for (const statement of opening) text += `; ${textOf(statement, escape, prepared)}`;
  const results = resultsOf(await client.query(text));
  return results[results.length - 1]!;
}

// A statement as sent: EXECUTE of the prepared one, or written out with its values inlined.
function textOf(statement: SqlStatement, escape: EscapeLiteral, prepared: Set<string> | undefined): string {
  if (prepared === undefined || !prepared.has(statement.sql)) return inlineParams(statement.sql, statement.params, escape);
  let text = `EXECUTE ${nameOf(statement.sql)}(`;
  for (let i = 0; i < statement.params.length; i += 1) text += `${i === 0 ? '' : ', '}${sqlLiteral(statement.params[i], escape)}`;
  return `${text})`;
}

const names = new Map<string, string>();

// A bracket statement's prepared name; apart from the names `pg` gives the store's other statements.
function nameOf(sql: string): string {
  let name = names.get(sql);
  if (name === undefined) {
    name = `sw_outbox_bracket_${createHash('sha256').update(sql).digest('hex').slice(0, 16)}`;
    names.set(sql, name);
  }
  return name;
}

// The results of a query, one per statement (`pg` gives a lone result for a one-statement query).
function resultsOf(result: QueryResult | QueryResult[]): QueryResult[] {
  return Array.isArray(result) ? result : [result];
}

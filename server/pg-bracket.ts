import { createHash, randomBytes } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { inTransaction } from './pg-client';
import type { BracketEnd, SqlStatement } from './sql-store';

// SQLSTATEs of a prepared statement missing (26000) or already there (42P05): the connection is not as remembered.
const PREPARED_MISMATCH = new Set(['26000', '42P05']);

// A result column, as a RowDescription names it.
interface Column {
  name: string;
  dataTypeID: number;
}

// What each connection has prepared for brackets (a connection is one `pg` client for its life):
// the statements' SQL, each with the columns of its rows once a Describe told them (null until then).
const preparedOn = new WeakMap<PoolClient, Map<string, Column[] | null>>();

// `SqlDriver.bracketed` on `pg`, in the round trips of the app's own transaction: `BEGIN` and the
// opening go as one round trip, the closing and `COMMIT` as another. The statements are prepared on
// the connection (a Parse of each, with the first opening on it), and a write only binds its values
// to them: each round trip is one pipeline of extended-protocol messages and one Sync (`Pipeline`),
// so Postgres neither parses nor plans the store's SQL per write, and nothing writes values into
// SQL text. Prepared, they are parsed and planned once per connection, not once per write.
// When the connection does not have what it was remembered to have (a pooler in front of Postgres
// that hands out another server connection, a `DEALLOCATE`), the transaction starts again with its
// statements unnamed: parsed with each write, as any query of `pg`'s with values is.
export async function pgBracketed<Row, T>(
  pool: Pool,
  opening: SqlStatement[],
  closings: readonly string[],
  work: (client: PoolClient, opened: Row[]) => Promise<BracketEnd<T>>,
): Promise<T> {
  return inTransaction(pool, async (client) => {
    let prepared = preparedOn.get(client);
    if (prepared === undefined) preparedOn.set(client, (prepared = new Map()));
    let opened: Row[];
    try {
      opened = await new Pipeline<Row>(prepared, opening, closings).sent(client);
    } catch (error) {
      if (!PREPARED_MISMATCH.has((error as { code?: string }).code ?? '')) throw error;
      await client.query('ROLLBACK');
      preparedOn.delete(client);
      prepared = undefined;
      opened = await new Pipeline<Row>(prepared, opening, closings).sent(client);
    }
    const { value, closing } = await work(client, opened);
    await (closing === undefined ? client.query('ROLLBACK') : new Pipeline(prepared, [closing]).sent(client));
    return value;
  });
}

// What `pg` hands a query it did not make (a submittable): the connection's message writers.
interface Connection {
  stream: { cork?(): void; uncork?(): void };
  parse(query: { name: string; text: string }): void;
  bind(config: { statement: string; values: Array<string | Buffer | null> }): void;
  describe(message: { type: 'P' }): void;
  execute(config: object): void;
  sync(): void;
}

// One round trip of a bracket, as a query of `pg`'s: with `closings` (the opening), BEGIN then
// `statements`, the statements the connection lacks prepared first (the closings too, known from the
// start); without (the closing), `statements` then COMMIT. Without `prepared` (what the connection
// has prepared), each statement goes unnamed, parsed before its Bind. Postgres answers in order;
// after an error it skips to the Sync, and the transaction is left failed for the caller to roll
// back, as after a simple-protocol query. It resolves with the rows of its last statement, the
// only ones read.
class Pipeline<Row> {
  // Set by `pg` on a client with a `query_timeout`: called at the query's end, it clears the timer.
  callback?: (error: unknown) => void;
  private settle!: { resolve(rows: Row[]): void; reject(error: unknown): void };
  private readonly found: Row[] = [];
  private bound: Array<Array<string | Buffer | null>> = [];
  // CommandCompletes still to come before the last statement's rows.
  private before: number;
  private readonly last: string;
  private columns: Column[] | null;

  constructor(
    private readonly prepared: Map<string, Column[] | null> | undefined,
    private readonly statements: SqlStatement[],
    private readonly closings?: readonly string[],
  ) {
    this.before = closings === undefined ? statements.length - 1 : statements.length;
    this.last = statements[statements.length - 1]!.sql;
    this.columns = prepared?.get(this.last) ?? null;
  }

  // Sent on `client` (after the queries already queued on it), as a query of its own: `pg` calls
  // `submit` and hands it the answer's messages (methods, not closures made per write).
  sent(client: PoolClient): Promise<Row[]> {
    // The values are checked before anything is sent: one that cannot go fails the query alone.
    this.bound = this.statements.map((statement) => statement.params.map(wireValue));
    const done = new Promise<Row[]>((resolve, reject) => (this.settle = { resolve, reject }));
    void (client as unknown as { query(query: Pipeline<Row>): unknown }).query(this);
    return done;
  }

  submit(connection: Connection): void {
    connection.stream.cork?.();
    if (this.closings !== undefined) {
      // Remembered before the outcome is known: a Parse is not undone when the transaction fails,
      // and a connection that turns out not to have them is caught as a mismatch.
      this.prepare(connection, BEGIN);
      for (const statement of this.statements) this.prepare(connection, statement.sql);
      for (const sql of this.closings) this.prepare(connection, sql);
      this.prepare(connection, COMMIT);
      this.run(connection, BEGIN, NO_VALUES);
    }
    for (let i = 0; i < this.statements.length; i += 1) this.run(connection, this.statements[i]!.sql, this.bound[i]!);
    if (this.closings === undefined) this.run(connection, COMMIT, NO_VALUES);
    connection.sync();
    connection.stream.uncork?.();
  }

  // Bind and Execute of a statement the connection has prepared (or, unnamed, its Parse first).
  private run(connection: Connection, sql: string, values: Array<string | Buffer | null>): void {
    const name = this.prepared === undefined ? '' : nameOf(sql);
    if (name === '') connection.parse({ name, text: sql });
    connection.bind({ statement: name, values });
    if (this.closings !== undefined && this.columns === null && sql === this.last) connection.describe({ type: 'P' });
    connection.execute({});
  }

  // The opening's last statement's columns: only it is described (once per connection).
  handleRowDescription(message: { fields: Column[] }): void {
    this.columns = message.fields.map(({ name, dataTypeID }) => ({ name, dataTypeID }));
    this.prepared?.set(this.last, this.columns);
  }

  handleDataRow(message: { fields: Array<string | null> }): void {
    if (this.before > 0 || this.columns === null) return;
    const row: Record<string, unknown> = {};
    for (let i = 0; i < this.columns.length; i += 1) row[this.columns[i]!.name] = fromText(message.fields[i] ?? null, this.columns[i]!.dataTypeID);
    this.found.push(row as Row);
  }

  handleCommandComplete(): void {
    this.before -= 1;
  }

  handleEmptyQuery(): void {}

  handleReadyForQuery(): void {
    this.callback?.(null);
    this.settle.resolve(this.found);
  }

  // `pg` drops a query at its error (the ReadyForQuery after it is not passed on): it ends here.
  handleError(error: unknown): void {
    this.callback?.(error);
    this.settle.reject(error);
  }

  // A Parse of `sql` under its name, unless the connection has it (or goes unnamed).
  private prepare(connection: Connection, sql: string): void {
    if (this.prepared === undefined || this.prepared.has(sql)) return;
    this.prepared.set(sql, null);
    connection.parse({ name: nameOf(sql), text: sql });
  }
}

// Transaction control goes prepared too: a keyword with nothing to plan, but its Parse would be
// read by Postgres's parser and answered with a ParseComplete on every write.
const BEGIN = 'BEGIN';
const COMMIT = 'COMMIT';
const NO_VALUES: Array<string | Buffer | null> = [];

// A value as a Bind carries it: text, bytes (sent as binary) or null. Postgres text cannot hold
// NUL, so text with one is refused here, as Postgres would refuse it.
function wireValue(value: unknown): string | Buffer | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') {
    if (value.includes('\0')) throw new TypeError('sw-outbox/server: text sent to Postgres cannot contain NUL');
    return value;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`sw-outbox/server: ${String(value)} cannot be sent to Postgres`);
}

// A column's text as `pg`'s default parsers read it, for the types of the store's columns.
function fromText(text: string | null, type: number): unknown {
  if (text === null) return null;
  switch (type) {
    case 16: // bool
      return text === 't';
    case 23: // int4
      return Number(text);
    case 17: // bytea, as hex
      return Buffer.from(text.slice(2), 'hex');
    case 3802: // jsonb
      return JSON.parse(text);
    default:
      return text;
  }
}

const names = new Map<string, string>();

// What this copy of the module names its statements with. What a connection has prepared is known
// per copy (`preparedOn`), so two copies sharing a pool (an app that loads both the ES and the
// CommonJS build) must not share names: with the same name for the same SQL (BEGIN, or one table's
// statements), each would find the other's statement there and start every transaction again.
const copy = randomBytes(4).toString('hex');

// A bracket statement's prepared name; apart from the names `pg` gives the store's other statements.
function nameOf(sql: string): string {
  let name = names.get(sql);
  if (name === undefined) {
    name = `sw_outbox_bracket_${copy}_${createHash('sha256').update(sql).digest('hex').slice(0, 16)}`;
    names.set(sql, name);
  }
  return name;
}

import { createHash, randomBytes } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { discard, inTransaction } from './pg-client';
import type { BracketEnd } from './sql-store';

// SQLSTATEs of a prepared statement missing (26000) or already there (42P05): the connection is not as remembered.
const PREPARED_MISMATCH = new Set(['26000', '42P05']);

const codeOf = (error: unknown): string => (error as { code?: string }).code ?? '';

// What each connection has prepared for brackets (a connection is one `pg` client for its life).
const preparedOn = new WeakMap<PoolClient, Set<string>>();

// `SqlDriver.bracketed` on `pg`, in the round trips of the app's own transaction: `BEGIN` is one
// round trip, the closing and `COMMIT` another. The statements are prepared on the connection (a
// Parse of each, with the first BEGIN on it), and a write only binds its values to them: each round
// trip is one pipeline of extended-protocol messages and one Sync (`Pipeline`), so Postgres neither
// parses nor plans the store's SQL per write, and nothing writes values into SQL text. When the
// connection does not have what it was remembered to have (a pooler in front of Postgres that hands
// out another server connection, a `DEALLOCATE`), the transaction starts again with its statements
// unnamed: parsed with each write, as any query of `pg`'s with values is.
export async function pgBracketed<T>(pool: Pool, closing: string, work: (client: PoolClient) => Promise<BracketEnd<T>>): Promise<T> {
  return inTransaction(pool, async (client) => {
    let prepared = preparedOn.get(client);
    if (prepared === undefined) preparedOn.set(client, (prepared = new Set()));
    try {
      await new Pipeline(prepared, [[BEGIN, NO_VALUES]], closing).sent(client);
    } catch (error) {
      // Any other failure may have come between the Parses, which are remembered already: what the
      // connection has prepared is not known any more, so it is not used again.
      if (!PREPARED_MISMATCH.has(codeOf(error))) {
        discard(client);
        throw error;
      }
      await client.query('ROLLBACK');
      preparedOn.delete(client);
      prepared = undefined;
      await new Pipeline(prepared, [[BEGIN, NO_VALUES]], closing).sent(client);
    }
    const end = await work(client);
    if (end.closing === undefined) {
      await client.query('ROLLBACK');
      return end.value;
    }
    try {
      await new Pipeline(prepared, [[closing, end.closing.map(wireValue)], [COMMIT, NO_VALUES]]).sent(client);
    } catch (error) {
      // The closing is missing (deallocated since BEGIN): this write fails, and the connection goes.
      if (PREPARED_MISMATCH.has(codeOf(error))) discard(client);
      throw error;
    }
    return end.value;
  });
}

// What `pg` hands a query it did not make (a submittable): the connection's message writers.
interface Connection {
  stream: { cork?(): void; uncork?(): void };
  parse(query: { name: string; text: string }): void;
  bind(config: { statement: string; values: Array<string | Buffer | null> }): void;
  execute(config: object): void;
  sync(): void;
}

// A statement to run: its SQL and its values as a Bind carries them.
type Bound = [sql: string, values: Array<string | Buffer | null>];

// One round trip of a bracket, as a query of `pg`'s: `statements`, and with `closing` (on BEGIN's
// round trip) the Parse first of each statement the connection lacks, the closing and COMMIT among
// them. Without `prepared` (what the connection has prepared), each statement goes unnamed, parsed
// before its Bind. Postgres answers in order; after an error it skips to the Sync, and the
// transaction is left failed for the caller to roll back, as after a simple-protocol query. Rows
// are not read: the store's closing says what it must by failing.
class Pipeline {
  // Set by `pg` on a client with a `query_timeout`: called at the query's end, it clears the timer.
  callback?: (error: unknown) => void;
  private settle!: { resolve(): void; reject(error: unknown): void };

  constructor(
    private readonly prepared: Set<string> | undefined,
    private readonly statements: Bound[],
    private readonly closing?: string,
  ) {}

  // Sent on `client` (after the queries already queued on it), as a query of its own: `pg` calls
  // `submit` and hands it the answer's messages (methods, not closures made per write).
  sent(client: PoolClient): Promise<void> {
    const done = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    void (client as unknown as { query(query: Pipeline): unknown }).query(this);
    return done;
  }

  submit(connection: Connection): void {
    connection.stream.cork?.();
    if (this.closing !== undefined) {
      // Remembered before the outcome is known: a Parse is not undone when the transaction fails,
      // and a connection that turns out not to have them is caught as a mismatch.
      for (const sql of [BEGIN, this.closing, COMMIT]) this.prepare(connection, sql);
    }
    for (const [sql, values] of this.statements) {
      const name = this.prepared === undefined ? '' : nameOf(sql);
      if (name === '') connection.parse({ name, text: sql });
      connection.bind({ statement: name, values });
      connection.execute({});
    }
    connection.sync();
    connection.stream.uncork?.();
  }

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleCommandComplete(): void {}
  handleEmptyQuery(): void {}

  handleReadyForQuery(): void {
    this.callback?.(null);
    this.settle.resolve();
  }

  // `pg` drops a query at its error (the ReadyForQuery after it is not passed on): it ends here.
  handleError(error: unknown): void {
    this.callback?.(error);
    this.settle.reject(error);
  }

  // A Parse of `sql` under its name, unless the connection has it (or goes unnamed).
  private prepare(connection: Connection, sql: string): void {
    if (this.prepared === undefined || this.prepared.has(sql)) return;
    this.prepared.add(sql);
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

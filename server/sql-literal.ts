// Escapes a string as an SQL literal, as the driver's connection reads it (`pg`'s `escapeLiteral`).
export type EscapeLiteral = (text: string) => string;

// `sql` with each placeholder `$n` replaced by `params[n - 1]` written as an SQL literal, for a
// statement sent with others in one simple-protocol query (which takes no parameters). The store's
// statements carry no `$` but their placeholders. Values are what the store binds: text, numbers,
// null, bytes.
export function inlineParams(sql: string, params: readonly unknown[], escape: EscapeLiteral): string {
  return sql.replace(/\$(\d+)/g, (_, index: string) => {
    const position = Number(index) - 1;
    if (position >= params.length) throw new RangeError(`sw-outbox/server: $${index} has no value`);
    return sqlLiteral(params[position], escape);
  });
}

const PLAIN_TEXT = /^[^'\\]*$/;

// A value the store binds (text, number, null, bytes) written as an SQL literal.
export function sqlLiteral(value: unknown, escape: EscapeLiteral): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`sw-outbox/server: ${value} cannot be an SQL literal`);
    // Parenthesised, so that a negative number after an operator never reads as a `--` comment.
    return `(${value})`;
  }
  if (typeof value === 'string') {
    // Postgres text cannot hold NUL, and a NUL would end the query's text early.
    if (value.includes('\0')) throw new TypeError('sw-outbox/server: text sent to Postgres cannot contain NUL');
    // Text without quotes or backslashes reads the same in any string syntax: no escaping to do.
    return PLAIN_TEXT.test(value) ? `'${value}'` : escape(value);
  }
  // The hex form in an escape string: the same bytes whatever standard_conforming_strings says.
  if (value instanceof Uint8Array) return `E'\\\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}'::bytea`;
  throw new TypeError(`sw-outbox/server: a ${typeof value} cannot be an SQL literal`);
}

// @vitest-environment node
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { inlineParams, sqlLiteral } from '../../server/sql-literal';

const escape = (text: string) => pg.escapeLiteral(text);

describe('SQL literals for statements sent with BEGIN and COMMIT', () => {
  it('writes text as a literal, escaping quotes and backslashes only where there are some', () => {
    expect(sqlLiteral('plain key-1', escape)).toBe("'plain key-1'");
    expect(sqlLiteral("it's", escape)).toBe("'it''s'");
    expect(sqlLiteral('a\\b', escape)).toBe(" E'a\\\\b'");
    expect(sqlLiteral('ünï', escape)).toBe("'ünï'");
  });

  it('writes numbers in parentheses (never a -- comment after an operator), null as NULL, bytes as hex', () => {
    expect(inlineParams('SELECT 1 -$1, $2', [-5, null], escape)).toBe('SELECT 1 -(-5), NULL');
    expect(sqlLiteral(new Uint8Array([0, 39, 92, 255]), escape)).toBe("E'\\\\x00275cff'::bytea");
  });

  it('replaces $10 as itself, not as $1 followed by 0, and refuses a placeholder without a value', () => {
    const params = Array.from({ length: 10 }, (_, i) => i + 1);
    expect(inlineParams('$1 $10', params, escape)).toBe('(1) (10)');
    expect(() => inlineParams('$2', [1], escape)).toThrow(RangeError);
  });

  it('refuses NUL in text, values it cannot write, and non-finite numbers', () => {
    expect(() => sqlLiteral('a\0b', escape)).toThrow('NUL');
    expect(() => sqlLiteral({}, escape)).toThrow(TypeError);
    expect(() => sqlLiteral(Number.NaN, escape)).toThrow(TypeError);
  });
});

/** How Idempotency-Key header values are read. */
export interface KeySyntax {
  /** The longest key accepted, in characters. */
  maxLength: number;
  /**
   * Also accept an unquoted key (visible ASCII, no quotes, backslashes or commas). The draft makes
   * the value a structured-field String (`"…"`); some clients send the bare value.
   */
  bareKeys: boolean;
}

export type ParsedKey = { ok: true; key: string } | { ok: false; detail: string };

const BARE_KEY = /^[\x21\x23-\x2b\x2d-\x5b\x5d-\x7e]+$/;

/** The common quoted key: printable ASCII with nothing to unescape and no parameters, read by a slice. */
const PLAIN_STRING = /^"[\x20\x21\x23-\x5b\x5d-\x7e]*"$/;

/**
 * Reads an Idempotency-Key value as draft-ietf-httpapi-idempotency-key-header-07 defines it: an
 * RFC 8941 String (`"` … `"`, printable ASCII, `\"` and `\\` escaped), parameters ignored.
 */
export function parseIdempotencyKey(value: string, syntax: KeySyntax): ParsedKey {
  const text = value.trim();
  const key = PLAIN_STRING.test(text) ? text.slice(1, -1) : text.startsWith('"') ? readString(text) : syntax.bareKeys && BARE_KEY.test(text) ? text : undefined;
  if (key === undefined) {
    return { ok: false, detail: 'Idempotency-Key must be a structured-field string: printable ASCII in double quotes, such as "8e03978e-40d5-43e8-bc93-6894a57f9324".' };
  }
  if (key.length === 0 || key.length > syntax.maxLength) {
    return { ok: false, detail: `Idempotency-Key must be 1 to ${syntax.maxLength} characters long.` };
  }
  return { ok: true, key };
}

/** The String at the start of `text`, or undefined when it is not one (or junk follows it). */
function readString(text: string): string | undefined {
  let key = '';
  for (let i = 1; i < text.length; i += 1) {
    const char = text[i] ?? '';
    const code = char.charCodeAt(0);
    if (char === '\\') {
      const next = text[i + 1];
      if (next !== '"' && next !== '\\') return undefined;
      key += next;
      i += 1;
    } else if (char === '"') {
      const rest = text.slice(i + 1).trim();
      return rest === '' || rest.startsWith(';') ? key : undefined;
    } else if (code < 0x20 || code > 0x7e) {
      return undefined;
    } else {
      key += char;
    }
  }
  return undefined;
}

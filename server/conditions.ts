/** A resource as the app knows it when a conditional write comes in. */
export interface CurrentResource {
  /** The app's version of it (a counter, a hash, a timestamp); its strong ETag is made from this. */
  version: string | number;
  /** Its current representation, sent with a 412 so the client can merge against it. */
  representation(): Response | Promise<Response>;
}

/** What a route says about preconditions on its writes. */
export interface ConditionalRoute<Tx> {
  /**
   * Loads the resource, or null when it does not exist. Called before the handler (with no
   * transaction) and again at the start of the handler's write transaction (with it), so a
   * change that lands in between still fails the precondition.
   */
  load(tx: Tx | undefined): Promise<CurrentResource | null>;
  /** Answer 428 when a write carries neither If-Match nor If-None-Match. */
  required?: boolean;
}

/** How a precondition check came out: go on, or answer now. */
export type PreconditionVerdict =
  | { pass: true }
  | { pass: false; status: 412; current: CurrentResource | null }
  | { pass: false; status: 428 };

/** The strong ETag of an app version: `"<version>"`. */
export function strongETag(version: string | number): string {
  const text = String(version);
  if (!/^[\x21\x23-\x7e]+$/.test(text)) {
    throw new TypeError(`a version used as an ETag must be printable ASCII without quotes or spaces, got ${JSON.stringify(text)}`);
  }
  return `"${text}"`;
}

/**
 * Checks If-Match and If-None-Match (RFC 9110 §13) of a write against the current resource.
 * If-Match uses the strong comparison, so a weak tag (`W/"3"`) never satisfies it.
 */
export function checkPreconditions(headers: Headers, current: CurrentResource | null, required: boolean): PreconditionVerdict {
  const ifMatch = headers.get('if-match');
  const ifNoneMatch = headers.get('if-none-match');
  if (ifMatch === null && ifNoneMatch === null) return required ? { pass: false, status: 428 } : { pass: true };
  const etag = current === null ? null : strongETag(current.version);
  if (ifMatch !== null && !matches(ifMatch, etag, 'strong')) return { pass: false, status: 412, current };
  if (ifNoneMatch !== null && matches(ifNoneMatch, etag, 'weak')) return { pass: false, status: 412, current };
  return { pass: true };
}

/** Whether a `*` or entity-tag list matches the current tag (null: the resource does not exist). */
function matches(header: string, etag: string | null, comparison: 'strong' | 'weak'): boolean {
  if (etag === null) return false;
  if (header.trim() === '*') return true;
  return (header.match(/(W\/)?"[^"]*"/g) ?? []).some((tag) => {
    const weak = tag.startsWith('W/');
    if (weak && comparison === 'strong') return false;
    return (weak ? tag.slice(2) : tag) === etag;
  });
}

// The bytes of the Requests and Responses the kit builds from bytes it holds: read from here, a body
// costs no stream (reading a stream is most of what a Request or Response costs), and a request can
// be read by the kit (for its digest) and still reach the handler unread, with no copy of it made.

const bodies = new WeakMap<Request | Response, Uint8Array>();

// `message`, noted as built from `body` (the caller does not change those bytes afterwards).
export function withKnownBody<M extends Request | Response>(message: M, body: Uint8Array): M {
  bodies.set(message, body);
  return message;
}

// The bytes `message` was built from, when they were noted; reading them leaves its body unread.
export function knownBody(message: Request | Response): Uint8Array | undefined {
  return bodies.get(message);
}

// The bytes of `message`'s body: the noted ones (its body left unread), else read from its stream.
export async function bodyBytes(message: Request | Response): Promise<Uint8Array> {
  return knownBody(message) ?? readBody(message);
}

// Reads `message`'s whole body (as `arrayBuffer()` does, which costs half as much again on Node 20:
// its reader goes through more promises). A body of one chunk is that chunk, not a copy.
export async function readBody(message: Request | Response): Promise<Uint8Array> {
  if (message.body === null) return new Uint8Array(await message.arrayBuffer());
  const reader = message.body.getReader();
  const chunks: Uint8Array[] = [];
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) chunks.push(chunk.value);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

import type { OutboxConfig } from '../../protocol';
import type { LearnedStore } from '../log/learned';
import { readBody } from '../json/json';
import { versionOf } from '../log/learning';
import { resourceKey } from '../log/resource';

/**
 * Learns the version and representation a GET's answer on a route carries, never changing it:
 * an item's is what its later writes are based on and merged against; a collection's items are
 * each learned as `<collection>/<id>` (docs/protocol.md, Versions).
 */
export async function learnFromRead(learned: LearnedStore, config: OutboxConfig, request: Request, response: Response): Promise<void> {
  if (teaches(request, response)) await learnFromBody(learned, config, request, response, await readBody(response));
}

/** `learnFromRead` with the answer's body already read (`readBody`'s form), so it is read once. */
export async function learnFromBody(learned: LearnedStore, config: OutboxConfig, request: Request, response: Response, body: unknown): Promise<void> {
  if (!teaches(request, response)) return;
  const resource = resourceKey(new URL(request.url));
  if (Array.isArray(body)) return learned.learnCollection(resource, body, config.idField, config.versioning);
  await learned.learnVersion({ resource, version: versionOf(response, body, config), representation: body, at: Date.now() });
}

/** Only a GET's successful answer says what the server has. */
function teaches(request: Request, response: Response): boolean {
  return response.ok && request.method === 'GET';
}

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
  if (!response.ok || request.method !== 'GET') return;
  const body = await readBody(response);
  const resource = resourceKey(new URL(request.url));
  if (Array.isArray(body)) return learned.learnCollection(resource, body, config.idField, config.versioning);
  await learned.learnVersion({ resource, version: versionOf(response, body, config), representation: body, at: Date.now() });
}

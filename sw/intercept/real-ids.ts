import type { LearnedStore } from '../log/learned';
import { bufferedBody, rebuilt } from './capture';
import { remapUrl, tempIdsIn } from '../log/resource';

/** A page request to a temporary id that has since been confirmed goes to the real one. */
export async function withRealIds(request: Request, learned: LearnedStore): Promise<Request> {
  let url = request.url;
  for (const tempId of tempIdsIn(new URL(url))) {
    const mapping = await learned.mappingFor(tempId);
    if (mapping) url = remapUrl(url, tempId, mapping.realId);
  }
  if (url === request.url) return request;
  // Rebuilt from its bytes: a request passed as another's init turns its body into a stream,
  // which the outbox refuses. A streamed body is left as it is, for capture to refuse.
  const source = bufferedBody(request);
  if (!source) return request;
  return rebuilt(request, request.body === null ? null : await source.arrayBuffer(), url);
}

import { keepLimit, type PageMessage } from '../../protocol';

/** Why a message was not acted on: `foreign` is not addressed to the outbox at all. */
export type UnreadMessage = 'foreign' | 'malformed';

/**
 * Reads a page's message to the worker, trusting nothing about its shape: only the exact
 * messages of `PageMessage` drive the outbox. One that names the outbox (`outbox:…`) but is
 * wrong in any way is `malformed`; anything else belongs to the rest of the app's worker.
 */
export function readPageMessage(data: unknown, portCount: number): PageMessage | UnreadMessage {
  const type = typeof data === 'object' && data !== null ? (data as { type?: unknown }).type : data;
  if (typeof type !== 'string' || !type.startsWith('outbox:')) return 'foreign';
  if (typeof data !== 'object' || data === null) return 'malformed';
  const fields = Object.keys(data);
  const only = (...names: string[]) => fields.every((field) => names.includes(field));
  switch (type) {
    case 'outbox:connect':
      return portCount === 1 && only('type') ? { type } : 'malformed';
    case 'outbox:nudge': {
      const { force } = data as { force?: unknown };
      return typeof force === 'boolean' && only('type', 'force') && portCount === 0 ? { type, force } : 'malformed';
    }
    case 'outbox:credentials-changed':
      return only('type') && portCount === 0 ? { type } : 'malformed';
    case 'outbox:keep': {
      const { urls } = data as { urls?: unknown };
      const valid = Array.isArray(urls) && urls.length <= keepLimit && urls.every((url) => typeof url === 'string');
      return valid && only('type', 'urls') && portCount === 0 ? { type, urls: urls as string[] } : 'malformed';
    }
    default:
      return 'malformed';
  }
}

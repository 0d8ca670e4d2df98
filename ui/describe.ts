// How the UI names things for a person: a resource, and why the server refused a write.
import type { EntrySummary } from '../protocol';
import { isRecord } from '../sw/json/json';
import { fill, type UiTexts } from './texts';

/** Fields whose text names an item for a person, first found wins. */
const nameFields = ['title', 'name', 'label'];

/**
 * What a resource is, for a person: its path, with its title (or name) where one of the
 * representations known of it has one, e.g. `“Buy milk” (/api/todos/5)`.
 */
export function resourceName(url: string, ...representations: unknown[]): string {
  const path = new URL(url, globalThis.location?.href).pathname;
  for (const representation of representations) {
    if (!isRecord(representation)) continue;
    const field = nameFields.find((name) => typeof representation[name] === 'string' && representation[name] !== '');
    if (field) return `“${String(representation[field])}” (${path})`;
  }
  return path;
}

/** The worker's reasons for a dead write, by the name of their text. */
const reasonTexts: Record<string, keyof UiTexts> = {
  rejected: 'rejected', expired: 'expired', 'max-attempts': 'maxAttempts', conflict: 'conflict', cascade: 'cascade', discarded: 'discarded',
};

/** The server's own words in an answer: a problem+json `title` and `detail`, or a short text body. */
export function serverWords(body: unknown): string | null {
  if (isRecord(body)) {
    const words = [body.title, body.detail].filter((part): part is string => typeof part === 'string' && part !== '');
    if (words.length > 0) return words.join(': ');
    return typeof body.error === 'string' ? body.error : null;
  }
  return typeof body === 'string' && body.trim() !== '' ? body.trim().slice(0, 200) : null;
}

/** Why a write was refused, for a person: the server's status and reason, and its own words where it gave them. */
export function refusalText(entry: EntrySummary, texts: UiTexts): string {
  const reason = entry.reason ?? 'rejected';
  const said = fill(texts.refusedReason, { status: entry.lastStatus ?? '', reason: texts[reasonTexts[reason] ?? 'rejected'] }).trim();
  const words = serverWords(entry.lastResponse);
  return words ? `${said}: ${words}` : said;
}

import { describe, expect, it } from 'vitest';
import { PageRegistry, type PageLine } from '../sw/pages/page-registry';

/** A page whose credentials answer comes after `delayMs`. */
function page(answer: Record<string, string> | null, delayMs = 0): PageLine {
  const line = {
    credentials: () => new Promise((resolve) => setTimeout(() => resolve(answer), delayMs)),
    conflict: async () => null,
  };
  return line as unknown as PageLine;
}

function registry(openIds: string[], onRequest: () => void = () => undefined): PageRegistry {
  return new PageRegistry({ openIds: async () => openIds, requestConnections: onRequest });
}

const askCredentials = (line: PageLine) => line.credentials({ url: 'http://app.test/api/x', method: 'PATCH' });

describe('asking the open pages', () => {
  it('takes the first answer that is not null', async () => {
    const pages = registry(['a', 'b', 'c']);
    pages.connect('a', page(null));
    pages.connect('b', page({ authorization: 'slow' }, 40));
    pages.connect('c', page({ authorization: 'fast' }, 5));
    expect(await pages.first(askCredentials, 1000)).toEqual({ authorization: 'fast' });
  });

  it('answers null at once when every page said null, or when no page is open', async () => {
    const pages = registry(['a']);
    pages.connect('a', page(null));
    const started = Date.now();
    expect(await pages.first(askCredentials, 1000)).toBeNull();
    expect(Date.now() - started).toBeLessThan(500);
    expect(await registry([]).first(askCredentials, 1000)).toBeNull();
  });

  it('forgets a page that has closed, and asks a page that connects while the question is open', async () => {
    let requested = 0;
    const pages = registry(['b'], () => requested++);
    pages.connect('a', page({ authorization: 'from a closed page' }));
    const answer = pages.first(askCredentials, 1000);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(requested).toBe(1);
    pages.connect('b', page({ authorization: 'late' }));
    expect(await answer).toEqual({ authorization: 'late' });
    expect(pages.connected()).toHaveLength(1);
  });

  it('gives up after the timeout when no page answers', async () => {
    const pages = registry(['a']);
    pages.connect('a', page({ authorization: 'too late' }, 200));
    expect(await pages.first(askCredentials, 30)).toBeNull();
  });
});

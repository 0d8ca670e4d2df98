import { describe, expect, it } from 'vitest';
import { pathAndQuery, pathOf } from '../../server/url-parts';

// What a URL object says, for the URLs a Request can serialise and the paths a middleware sees.
const urls = [
  'http://app.test/notes',
  'http://app.test/notes?',
  'http://app.test/notes?#f',
  'https://app.test:8443/a/../n%20b?q=1?2#f',
  'http://app.test/n??',
  'http://[::1]/é?é',
  'http://app.test',
  'http://app.test/api/$batch#f',
  'app://bundle/notes?x=1#f',
];

describe('url-parts', () => {
  it('slices path and query as a URL object reads them, without the fragment or an empty query', () => {
    for (const url of urls) {
      const parsed = new URL(url);
      expect(pathAndQuery(new Request(url).url), url).toBe(parsed.pathname + parsed.search);
      expect(pathOf(new Request(url).url), url).toBe(parsed.pathname);
    }
  });

  it('reads a path with its query as a middleware sees it', () => {
    expect(pathAndQuery('/notes?x=1#f')).toBe('/notes?x=1');
    expect(pathAndQuery('/notes?')).toBe('/notes');
    expect(pathOf('/api/$batch?x=1')).toBe('/api/$batch');
    expect(pathOf('/api/$batch#f')).toBe('/api/$batch');
  });

  it('gives a request-target that is no URL back as it is (`OPTIONS *`), not an exception', () => {
    expect(pathOf('*')).toBe('*');
    expect(pathAndQuery('*')).toBe('*');
  });
});

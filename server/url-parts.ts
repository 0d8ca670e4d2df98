// The parts of a request's URL the kit reads on every request: its path (is it the batch URL?) and
// its path with its query (a key's fingerprint). They are sliced out of the string, without a URL
// object per request. A URL here is absolute as a Request serialises it (no user info; a `#` only
// before its fragment), or a path with its query, as a middleware's routes see it.

/** `pathname + search` of `url`: no fragment, and an empty query (`?` alone) is no search. */
export function pathAndQuery(url: string): string {
  const start = pathStart(url);
  if (start === undefined) {
    // A request-target that is no URL (`*`, of `OPTIONS * HTTP/1.1`) has no path to slice: it is its own.
    if (!URL.canParse(url)) return url;
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  }
  if (start < 0) return '/';
  const hash = url.indexOf('#', start);
  const target = hash < 0 ? url.slice(start) : url.slice(start, hash);
  return target.endsWith('?') && target.indexOf('?') === target.length - 1 ? target.slice(0, -1) : target;
}

/** `pathname` of `url`. */
export function pathOf(url: string): string {
  const target = pathAndQuery(url);
  const query = target.indexOf('?');
  return query < 0 ? target : target.slice(0, query);
}

// Where the path of `url` starts: 0 for a path, the first `/` after the host of an http(s) URL
// (-1 when there is none: its path is `/`), undefined for another scheme (left to a URL object).
function pathStart(url: string): number | undefined {
  if (url.startsWith('/')) return 0;
  const after = url.startsWith('http://') ? 7 : url.startsWith('https://') ? 8 : -1;
  return after < 0 ? undefined : url.indexOf('/', after);
}

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

export interface StaticResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
};

/**
 * The demo must work under a strict CSP, which is part of the product promise (SECURITY.md).
 * `connectSources` lets pages also reach listed origins (the tests' second origin for this server).
 */
export function htmlCsp(connectSources: readonly string[] = []): string {
  return (
    `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src ${["'self'", ...connectSources].join(' ')}; ` +
    "worker-src 'self'; object-src 'none'; base-uri 'self'"
  );
}

/** Serves `pathname` from the first of `dirs` that has it; missing directories are skipped. */
export async function serveStatic(dirs: readonly string[], pathname: string, csp: string): Promise<StaticResponse> {
  for (const dir of dirs) {
    const file = resolveInside(dir, pathname);
    if (file === undefined) break;
    if (await isFile(file)) return fileResponse(file, await readFile(file), csp);
  }
  return { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' }, body: 'Not found\n' };
}

/** Maps a URL path into `root`, or undefined when it is malformed or would escape `root`. */
function resolveInside(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const relative = decoded.endsWith('/') ? `${decoded}index.html` : decoded;
  const resolved = path.resolve(root, `.${path.posix.normalize(`/${relative}`)}`);
  return resolved.startsWith(root + path.sep) ? resolved : undefined;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

function fileResponse(file: string, body: Buffer, csp: string): StaticResponse {
  const extension = path.extname(file).toLowerCase();
  const headers: Record<string, string> = {
    'Content-Type': CONTENT_TYPES[extension] ?? 'application/octet-stream',
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  };
  // Lets a worker script served from a subfolder (e.g. /assets/) still control the whole origin.
  if (extension === '.js' || extension === '.mjs') headers['Service-Worker-Allowed'] = '/';
  if (extension === '.html') headers['Content-Security-Policy'] = csp;
  return { status: 200, headers, body };
}

// Size budgets of what the package ships (size-limit 14 needs Node 22; this project runs on 20), checked by `npm run test:package`: the drop-in's two files
// and each entry point, gzipped. An entry counts with the package's own chunks it imports, not its
// dependencies or peers (those are the user's either way). Budgets are today's figures with some
// headroom, so growth is seen; raise one on purpose, in the commit that grows it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * One line per entry: the `exports` subpath, its built file, and its budget in gzipped KiB. A new
 * entry (such as `./ui`) adds its line here; `checkSizes` refuses an export that has none.
 */
export const budgets = [
  // The worker: 24.1 KiB with verification, the network probe and batch replay (20.6 before them).
  { entry: './outbox-sw.js', file: 'dist/outbox-sw.js', kib: 27 },
  // The drop-in page script: 13 KiB with its UI (7.5 KiB without it).
  { entry: './outbox.js', file: 'dist/outbox.js', kib: 15 },
  // The library worker: 48.3 KiB with the in-memory index and the pipeline (issue 21), 49.6 with
  // the lookahead and the one-read confirmation.
  { entry: './sw', file: 'dist/esm/sw.js', kib: 50.5 },
  { entry: './client', file: 'dist/esm/client.js', kib: 11 },
  { entry: './react', file: 'dist/esm/react.js', kib: 1 },
  { entry: './ui', file: 'dist/esm/ui.js', kib: 13 },
  { entry: './testing', file: 'dist/esm/testing.js', kib: 9 },
  { entry: './vite', file: 'dist/esm/vite.js', kib: 4 },
  // The server entries share the kit's core chunk, which carries batch replay since issue 20 (the
  // codec, the batch URL, the per-write requests: about 4 KiB gzipped); each budget grew by that,
  // and by 0.5 for answers rebuilt without a body stream for the Node adapter (byte-answers.ts).
  { entry: './server', file: 'dist/server/index.js', kib: 13.5 },
  // The Postgres store: 5.6 KiB with the one-statement first try, its wait and the copy's own
  // statement names (under 5.5 before them); 5.0 since its transactional path reads nothing first.
  { entry: './server/pg', file: 'dist/server/pg.js', kib: 6 },
  { entry: './server/pglite', file: 'dist/server/pglite.js', kib: 4.5 },
  // node and express send a stored answer with its Content-Length (2.0 and 18.5 KiB with it).
  { entry: './server/node', file: 'dist/server/node.js', kib: 2.5 },
  { entry: './server/express', file: 'dist/server/express.js', kib: 19 },
  // fastify: 18.1 KiB with the hot path's bytes-only answers, their headers added by the Node
  // adapters and the memory store by scope (17.9 before them).
  { entry: './server/fastify', file: 'dist/server/fastify.js', kib: 18.5 },
  { entry: './server/hono', file: 'dist/server/hono.js', kib: 12.5 },
];

/** Relative imports in built ES module code: `from "./x.js"`, `import "./x.js"`, `import("./x.js")`. */
const LOCAL_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.\.?\/[^"']+)["']/g;

/** `file` and every file of the package it imports, transitively. */
function withChunks(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const [, specifier] of readFileSync(file, 'utf8').matchAll(LOCAL_IMPORT)) withChunks(path.join(path.dirname(file), specifier), seen);
  return seen;
}

/** Gzipped bytes of an entry: each of its files gzipped alone, as a server sends them. */
export function gzippedSize(root, file) {
  let bytes = 0;
  for (const one of withChunks(path.join(root, file))) bytes += gzipSync(readFileSync(one), { level: 9 }).length;
  return bytes;
}

/**
 * Measures every budget's entry under `root` (the package's folder). Returns one row per entry and
 * the problems: an entry over its budget, or an export without a budget.
 */
export function checkSizes(root, exportsField) {
  const problems = [];
  for (const entry of Object.keys(exportsField)) {
    if (entry !== './package.json' && !budgets.some((budget) => budget.entry === entry)) problems.push(`${entry} has no size budget (scripts/package/sizes.mjs)`);
  }
  const rows = budgets.map(({ entry, file, kib }) => {
    const bytes = gzippedSize(root, file);
    if (bytes > kib * 1024) problems.push(`${entry} is ${(bytes / 1024).toFixed(1)} KiB gzipped, over its budget of ${kib} KiB`);
    return { entry, gzipKiB: Number((bytes / 1024).toFixed(2)), budgetKiB: kib };
  });
  return { rows, problems };
}

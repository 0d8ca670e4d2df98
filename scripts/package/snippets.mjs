// The README's code, as the package test typechecks it: every ```ts block, and the environment it
// runs in (a page, a service worker, Node, a Playwright test), told by what it imports.
import { readFileSync } from 'node:fs';

/** Bare module names a snippet imports. */
function importsOf(code) {
  return [...code.matchAll(/\bfrom\s+['"]([^'"]+)['"]/g)].map((match) => match[1]);
}

/** The package a module name belongs to (`@scope/name/sub` is `@scope/name`). */
export function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Where a snippet runs: decides its `lib` and `types`. */
function environmentOf(imports) {
  if (imports.some((name) => name === 'sw-outbox/sw')) return 'worker';
  if (imports.some((name) => name === '@playwright/test' || name === 'sw-outbox/testing')) return 'playwright';
  if (imports.some((name) => name.startsWith('sw-outbox/server') || name.startsWith('node:') || name === 'vite' || name === 'sw-outbox/vite')) return 'node';
  return 'page';
}

/**
 * The ```ts blocks of `markdownFile`, each with its environment and the packages it imports.
 * `installed` tells whether a package is in the test app; a snippet importing one that is not
 * (a recipe for Workbox, which the app brings itself) is returned in `skipped` with the reason.
 */
export function snippetsOf(markdownFile, installed) {
  const snippets = [];
  const skipped = [];
  const text = readFileSync(markdownFile, 'utf8');
  for (const [index, match] of [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].entries()) {
    const code = match[1];
    const imports = importsOf(code);
    const missing = [...new Set(imports.filter((name) => !name.startsWith('node:')).map(packageOf))].filter((name) => !installed(name));
    const line = text.slice(0, match.index).split('\n').length;
    if (missing.length > 0) skipped.push({ line, reason: `imports ${missing.join(', ')}, which the README's install section leaves to the app` });
    else snippets.push({ name: `readme-${String(index).padStart(2, '0')}-line-${line}`, line, environment: environmentOf(imports), code });
  }
  return { snippets, skipped };
}

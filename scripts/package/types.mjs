// Finishes the declarations `tsc -p tsconfig.types.json` emits into dist/types, so that they resolve
// under every `moduleResolution` a user may have (bundler, node16/nodenext, node10):
// - relative imports get explicit extensions: node16/nodenext read a `.d.ts` of this
//   `"type": "module"` package as ES module code, where `./client` does not resolve, `./client.js` does;
// - the server kit's declarations get `.d.cts` twins (importing `.cjs`), the types of its CommonJS
//   build: a `require` must meet CommonJS types, or TypeScript takes the module for ESM.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** `import … from '…'`, `export … from '…'`, `import('…')` and `import '…'` with a relative path. */
const RELATIVE_SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.\.?\/[^'"]*)\2/g;

/** Every file under `dir` whose name ends with `suffix`. */
function filesUnder(dir, suffix) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** The explicit form of `specifier` as written in `file`: `./x` is `./x.js` or `./x/index.js`. */
function explicit(file, specifier) {
  if (specifier.endsWith('.js')) return specifier;
  const target = path.resolve(path.dirname(file), specifier);
  if (existsSync(`${target}.d.ts`)) return `${specifier}.js`;
  if (existsSync(path.join(target, 'index.d.ts'))) return `${specifier.replace(/\/$/, '')}/index.js`;
  throw new Error(`${file}: cannot resolve ${specifier} to a declaration file`);
}

/** Rewrites every relative specifier of the declarations under `typesDir` to its explicit form. */
function addExtensions(typesDir) {
  for (const file of filesUnder(typesDir, '.d.ts')) {
    const text = readFileSync(file, 'utf8');
    const done = text.replace(RELATIVE_SPECIFIER, (_, lead, quote, specifier) => `${lead}${quote}${explicit(file, specifier)}${quote}`);
    if (done !== text) writeFileSync(file, done);
  }
}

/**
 * Writes `x.d.cts` beside each `x.d.ts` under the `folders` of `typesDir`, importing `.cjs` where the
 * original imports `.js`. The server kit's types import the protocol's (the batch format), so both
 * folders get twins; an import that leaves them would meet ES module types again.
 */
function addCommonJsTwins(typesDir, folders) {
  const twinned = folders.map((folder) => path.join(typesDir, folder));
  for (const dir of twinned) {
    for (const file of filesUnder(dir, '.d.ts')) {
      const text = readFileSync(file, 'utf8');
      const twin = text.replace(RELATIVE_SPECIFIER, (_, lead, quote, specifier) => {
        const target = path.resolve(path.dirname(file), specifier);
        if (!twinned.some((folder) => target.startsWith(folder + path.sep))) throw new Error(`${file}: ${specifier} leaves ${folders.join(' and ')}, which alone have CommonJS twins`);
        return `${lead}${quote}${specifier.replace(/\.js$/, '.cjs')}${quote}`;
      });
      writeFileSync(file.replace(/\.d\.ts$/, '.d.cts'), twin);
    }
  }
}

/** Finishes dist/types: explicit extensions everywhere, CommonJS twins for the server kit and the protocol it uses. */
export function finishTypes(typesDir) {
  addExtensions(typesDir);
  addCommonJsTwins(typesDir, ['server', 'protocol']);
}

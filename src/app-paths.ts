// Where the app finds its code and its files, whether it runs from the sources (tsx) or from the
// build (`npm run build` → dist/, which holds compiled code only: views, public/ and the reference
// data stay in the package's folder beside it).
import fs from 'node:fs';
import path from 'node:path';

/** The root the running code lives under: the checkout under tsx, `dist/` in a build. */
export const CODE_ROOT = path.resolve(import.meta.dirname, '..');

/** The package's folder (package.json, views/, public/, seeds/reference/*.json): the checkout, or dist's parent. */
export const APP_ROOT = findPackageRoot(CODE_ROOT);

export const VIEWS_DIR = path.join(APP_ROOT, 'views');
export const PUBLIC_DIR = path.join(APP_ROOT, 'public');
/** Migration modules: `.ts` in the checkout, `.js` in a build. */
export const MIGRATIONS_DIR = path.join(CODE_ROOT, 'migrations');
/** Reference seed modules (idempotent dictionaries), compiled like migrations. */
export const REFERENCE_SEEDS_DIR = path.join(CODE_ROOT, 'seeds', 'reference');
/** Reference data files (the default forms' JSON), never compiled. */
export const REFERENCE_DATA_DIR = path.join(APP_ROOT, 'seeds', 'reference');

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`package.json not found above ${from}`);
  }
}

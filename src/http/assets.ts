import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { PUBLIC_DIR } from '../app-paths';

// Every file under /assets is published at a URL that carries a hash of its bytes (`/assets/css/app.1a2b3c4d5e.css`):
// a changed file gets a new URL, so browsers keep an asset for a year without asking again. On a slow mobile link
// each revalidation was a round trip of its own (up to 2 s on 3G) before the page could show.

export interface Asset {
  /** the logical name views ask for: `css/app.css` */
  name: string;
  /** where it is served: `/assets/css/app.1a2b3c4d5e.css` */
  url: string;
  type: string;
  body: Buffer;
  /** a strong validator: the content hash */
  etag: string;
}

export interface Assets {
  /** The published URL of a logical name; an unknown name throws, so a typo in a view fails its render. */
  url: (name: string) => string;
  /** The asset published at a path under /assets (`/css/app.1a2b3c4d5e.css`), if any. */
  at: (pathUnderAssets: string) => Asset | undefined;
  all: () => Asset[];
}

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

const require = createRequire(import.meta.url);
const packageFile = (pkg: string, file: string) =>
  path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);

/** Files of npm packages published beside the app's own (the CSP allows no other origin). */
const VENDORED: Record<string, string> = {
  'js/htmx.min.js': packageFile('htmx.org', 'dist/htmx.min.js'),
};

/** Reads public/ and the vendored files once, at start-up (a dozen small files, about a millisecond). */
export function loadAssets(publicDir = PUBLIC_DIR): Assets {
  const files = { ...filesUnder(publicDir), ...VENDORED };
  const byName = new Map<string, Asset>();
  const byPath = new Map<string, Asset>();
  for (const [name, file] of Object.entries(files)) {
    const type = TYPES[path.extname(name)];
    if (!type) continue; // a source map or a stray file is not published
    const asset = publish(name, fs.readFileSync(file), type);
    byName.set(name, asset);
    byPath.set(asset.url.slice('/assets'.length), asset);
  }
  return {
    url: (name) => {
      const asset = byName.get(name);
      if (!asset) throw new Error(`no asset ${name} in public/ (views name assets as 'css/app.css')`);
      return asset.url;
    },
    at: (pathUnderAssets) => byPath.get(pathUnderAssets),
    all: () => [...byName.values()],
  };
}

function publish(name: string, body: Buffer, type: string): Asset {
  const hash = crypto.createHash('sha256').update(body).digest('hex').slice(0, 10);
  const ext = path.extname(name);
  return { name, url: `/assets/${name.slice(0, -ext.length)}.${hash}${ext}`, type, body, etag: `"${hash}"` };
}

/** Logical name (`css/app.css`) → file, for every file under the folder. */
function filesUnder(dir: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    found[path.relative(dir, file).split(path.sep).join('/')] = file;
  }
  return found;
}

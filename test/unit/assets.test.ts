import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAssets } from '../../src/http/assets';

// Issue 22, item 2: an asset's URL carries a hash of its bytes, so a change publishes it under a new URL.

function publicDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reestr-assets-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('fingerprinted assets', () => {
  it('when a file changes, then its URL changes with it, and the URL names the first 10 hex of its sha-256', () => {
    const dir = publicDir({ 'css/app.css': 'body { color: red }', 'js/app.js': 'void 0;', 'css/app.css.map': '{}' });
    const before = loadAssets(dir);
    const hash = crypto.createHash('sha256').update('body { color: red }').digest('hex').slice(0, 10);
    expect(before.url('css/app.css')).toBe(`/assets/css/app.${hash}.css`);
    expect(before.at(`/css/app.${hash}.css`)?.body.toString()).toBe('body { color: red }');
    fs.writeFileSync(path.join(dir, 'css/app.css'), 'body { color: blue }');
    const after = loadAssets(dir);
    expect(after.url('css/app.css')).not.toBe(before.url('css/app.css'));
    expect(after.url('js/app.js')).toBe(before.url('js/app.js'));
    expect(after.at(`/css/app.${hash}.css`)).toBeUndefined();
    // a source map is not published; a name nobody published fails loudly (a typo in a view fails its render)
    expect(after.all().map((a) => a.name)).not.toContain('css/app.css.map');
    expect(() => after.url('css/missing.css')).toThrow(/no asset css\/missing\.css/);
    // htmx comes from its package, published like the app's own files
    expect(after.url('js/htmx.min.js')).toMatch(/^\/assets\/js\/htmx\.min\.[0-9a-f]{10}\.js$/);
    fs.rmSync(dir, { recursive: true });
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STYLESHEET_FILE, bootstrapCss, buildStylesheet } from '../../scripts/stylesheet';
import { VIEWS_DIR } from '../../src/app-paths';

// Issue 22, item 3: the committed stylesheet is Bootstrap cut down to what the views use, and stays in step with
// them (test/integration/page-weight.test.ts renders every page and checks each class it uses is kept).

describe('the built stylesheet', () => {
  it('when the stylesheet is built again from Bootstrap and the views, then it equals the committed file (else run `npm run build:css`)', async () => {
    const fresh = await buildStylesheet();
    expect(fresh === fs.readFileSync(STYLESHEET_FILE, 'utf8')).toBe(true);
    expect(fresh.length).toBeLessThan(bootstrapCss().length / 3);
  }, 30_000);
});

describe('asset URLs', () => {
  it('when a view names a file of public/, then it does so through asset(): no literal /assets/ path in any view', () => {
    const literal: string[] = [];
    for (const entry of fs.readdirSync(VIEWS_DIR, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const file = path.join(entry.parentPath, entry.name);
      const text = fs.readFileSync(file, 'utf8');
      for (const [found] of text.matchAll(/["'(=]\/(assets|public|css|js|img)\/[^"')\s]*/g))
        literal.push(`${path.relative(VIEWS_DIR, file)}: ${found}`);
    }
    expect(literal).toEqual([]);
  });
});

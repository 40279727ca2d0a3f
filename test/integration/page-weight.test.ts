import type { Server } from 'node:http';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STYLESHEET_FILE, bootstrapCss } from '../../scripts/stylesheet';
import { FIRST_VISIT_BUDGET_BYTES, PAGE_BUDGET_BYTES, firstVisit, kb } from '../../scripts/page-weight/budget';
import { get, logIn, type Transfer } from '../../scripts/page-weight/transfer';
import { AUTHZ_MATRIX } from '../authz-matrix';
import { useTestApp } from '../support/app';
import { classesInCss, classesInHtml } from '../support/css-classes';
import { createMembers, createUser } from '../support/factories';
import { listen, stopListening } from '../support/listen';
import { createRouteFixture, type RouteFixture } from '../support/route-fixture';

// Issue 22, items 3 and 4: every page the router serves, rendered on real objects (the route fixture: a ППО with
// members, officers, a filed report, transfers, exports…) as the union's administrator, and the home pages of a
// chair and a member. Each must fit the budget after the first visit, and every Bootstrap class a page uses must
// have survived the stylesheet's build.

const ctx = useTestApp();
let fx: RouteFixture;
let server: Server;
let base: string;
const pages: Transfer[] = [];

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  fx = await createRouteFixture(ctx.app, db);
  // a full first page of the member list (50 rows), the heaviest everyday page
  await createMembers(db, fx.tree.primary, 60, { email: 'teacher@example.ru', phone: '+79001234567' });
  ({ baseUrl: base, server } = await listen(ctx.app));
  const admin = await createUser(db, [{ role: 'admin', org: fx.tree.union }]);
  const chair = await createUser(db, [{ role: 'chair', org: fx.tree.primary }]);
  const member = await createUser(db, [{ role: 'member', org: fx.tree.primary }]);
  const cookie = await logIn(base, admin.username, admin.password);
  for (const url of gettableUrls()) pages.push(await get(`${base}${url}`, { cookie }));
  for (const user of [chair, member])
    pages.push(await get(`${base}/`, { cookie: await logIn(base, user.username, user.password) }));
  pages.push(await get(`${base}/no/such/page`, { cookie }));
}, 120_000);
afterAll(() => stopListening(server));

/** Downloads (XLSX, PDF, CSV, JSON) are files, not pages: test/integration/compression.test.ts covers them. */
const DOWNLOAD = /\.(xlsx|pdf|csv|json)$|\/download$/;

/** Each GET page route on the fixture's ППО and on its region (the consolidated forms and bigger tabs). */
function gettableUrls(): string[] {
  const pageRoutes = AUTHZ_MATRIX.filter((e) => e.method === 'GET' && !e.endsSession && !DOWNLOAD.test(e.path));
  const urls = pageRoutes.flatMap((e) =>
    e.path.includes(':inpo')
      ? [fx.url(e.path), fx.url(e.path, { inpo: fx.tree.region.inpo, form: '1-SP' })]
      : [fx.url(e.path)],
  );
  return [...new Set(urls)];
}

const htmlPages = () => pages.filter((p) => String(p.headers['content-type']).startsWith('text/html'));

describe('page weight', () => {
  it('when every page is opened after the first visit, then each transfers less than 30 KB, compressed', () => {
    expect(htmlPages().length).toBeGreaterThan(60);
    const heavy = htmlPages()
      .filter((p) => p.bytes >= PAGE_BUDGET_BYTES)
      .map((p) => `${p.url}: ${kb(p.bytes)}`);
    expect(heavy).toEqual([]);
    const uncompressed = htmlPages()
      .filter((p) => p.body.length > 1024 && p.headers['content-encoding'] !== 'br')
      .map((p) => p.url);
    expect(uncompressed).toEqual([]);
  });

  it('when the login page is opened with an empty cache, then it and every asset it loads transfer less than 80 KB', async () => {
    const visit = await firstVisit(base, '/login');
    expect(visit.assets.map((a) => a.url.replace(base, '').replace(/\.[0-9a-f]{10}\./, '.'))).toEqual([
      '/assets/img/favicon.svg',
      '/assets/css/bootstrap.css',
      '/assets/css/app.css',
      '/assets/js/htmx.min.js',
      '/assets/js/app.js',
    ]);
    for (const asset of visit.assets) expect(asset.status, asset.url).toBe(200);
    expect(visit.bytes).toBeLessThan(FIRST_VISIT_BUDGET_BYTES);
    // the sum is what was measured: the parts add up
    expect(visit.bytes).toBe(visit.page.bytes + visit.assets.reduce((s, a) => s + a.bytes, 0));
  });
});

describe('the stylesheet holds what the views use', () => {
  it('when every page is rendered, then every Bootstrap class on it is in the built stylesheet', () => {
    const bootstrap = classesInCss(bootstrapCss());
    const built = classesInCss(fs.readFileSync(STYLESHEET_FILE, 'utf8'));
    const missing = new Set<string>();
    const used = new Set<string>();
    for (const page of htmlPages())
      for (const name of classesInHtml(page.body.toString())) {
        used.add(name);
        if (bootstrap.has(name) && !built.has(name)) missing.add(`${name} (${page.url.replace(base, '')})`);
      }
    expect([...missing]).toEqual([]);
    // the check has teeth: the pages use many Bootstrap classes, and the build dropped most of Bootstrap's
    expect([...used].filter((n) => bootstrap.has(n)).length).toBeGreaterThan(100);
    expect(built.size).toBeLessThan(bootstrap.size / 3);
  });
});

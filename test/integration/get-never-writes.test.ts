// GET never writes (issue 11, item 15; security.md "GET never changes state"): every GET route of the
// authorization matrix, called as the union's admin on real objects of every level, leaves every table as
// it was. The only rows a GET may add are the read-audit rows security.md asks for, and the session's.
import { beforeAll, describe, expect, it } from 'vitest';
import { AUTHZ_MATRIX } from '../authz-matrix';
import { useTestApp } from '../support/app';
import { auditActionsSince, changedTables, DERIVED_CACHES, fingerprint } from '../support/db-fingerprint';
import {
  FILED_DATE,
  OPEN_DATE,
  createRouteFixture,
  type RouteFixture,
  type RouteParams,
} from '../support/route-fixture';

const ctx = useTestApp();
let fx: RouteFixture;

/** Views and exports of personal data are audited (security.md): those rows are the point of the read. */
const READ_AUDIT = new Set([
  'member.viewed',
  // a document generated from a template: a read of the personal data it prints
  'document.generated',
  'join.viewed',
  'member.exported',
  'member.own_data_exported',
  'org.exported',
  'audit.exported',
  'user.chairs_exported',
  // an officer's personnel file read, and its document taken
  'officer.file.viewed',
  'officer.file.document_downloaded',
]);

beforeAll(async () => {
  fx = await createRouteFixture(ctx.app, ctx.database.ownerDb);
});

/** Each GET route on the fixture's objects of every level, with the query parameters that lead it further. */
function urlsOf(path: string): string[] {
  const levels: [keyof RouteFixture['tree'], string][] = [
    ['primary', '5-SP'],
    ['territory', '2-SP'],
    ['region', '1-SP'],
    ['union', '1-SP'],
  ];
  const at = (given: Partial<RouteParams>) => fx.url(path, given);
  // the JSON API answers a session with 401 before it reads anything (its bearer calls: api.test.ts)
  if (!path.includes(':inpo') || path.startsWith('/api/')) return [at({})];
  return levels.flatMap(([level, form]) => {
    const p = { inpo: fx.tree[level].inpo, form };
    if (path === '/reports/:form/:inpo/:file') {
      return [FILED_DATE, OPEN_DATE].flatMap((date) =>
        ['', '.json', '.xlsx', '.pdf', '?source=live', '?source=filed', '?version=1', '.xlsx?children=1'].map(
          (suffix) => at({ ...p, file: date }).replace(/$/, suffix),
        ),
      );
    }
    if (path.endsWith('/versions')) return [`${at({ ...p, date: FILED_DATE })}?a=1&b=1`];
    if (path.endsWith('/reports/board')) return [`${at(p)}?form=${form}&date=${FILED_DATE}`, at(p)];
    if (path.endsWith('/reports/open')) return [`${at(p)}?form=${form}&date=${OPEN_DATE}`];
    if (path.endsWith('/members')) return [at(p), `${at(p)}?status=all&on=${FILED_DATE}`];
    return [at({ ...p, date: OPEN_DATE }), at({ ...p, date: FILED_DATE })];
  });
}

describe('GET never writes', () => {
  it('when every GET route is called on real objects of every level, then no table changes and only read-audit rows are added', async () => {
    const db = ctx.database.ownerDb;
    const writes: string[] = [];
    const statuses = new Map<number, number>();
    let before = await fingerprint(db);
    for (const entry of AUTHZ_MATRIX.filter((e) => e.method === 'GET')) {
      for (const url of [...new Set(urlsOf(entry.path))]) {
        const res = await fx.admin.agent.get(url);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const after = await fingerprint(db);
        const changed = changedTables(before, after).filter((t) => !DERIVED_CACHES.has(t));
        const audits = (await auditActionsSince(db, before)).filter((a) => !READ_AUDIT.has(a));
        if (changed.length || audits.length)
          writes.push(`GET ${url} (${res.status}): ${[...changed, ...audits.map((a) => `audit ${a}`)].join(', ')}`);
        before = after;
      }
    }
    expect(writes).toEqual([]);
    // the routes did their work: mostly pages and files, not refusals
    expect(statuses.get(200)).toBeGreaterThan(100);
    expect(statuses.get(500)).toBeUndefined();
  });
});

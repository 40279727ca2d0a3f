import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { findOrgById, type OrgRow } from '../../src/registry/orgs.repo';
import { headerFiguresOf } from '../../src/registry/passport.repo';
import { listChildren } from '../../src/registry/structure.repo';
import { GAPS_SQL_INCOMPLETE } from '../../src/registry/completeness';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { commitSideBySide } from '../support/side-by-side';
import { createOrg, createRegionTree, moveSubtree, unionRoot } from '../support/factories';

// Issue 15, item 3: the union's passport header and structure tab read the incomplete passports of each
// region from passport_gap_counts (kept by triggers) instead of the view over every organization. After
// every kind of change the view counts, they must say what the view says — also when two changes of one
// region commit side by side.

let database: TestDatabase;
let db: Knex;
let union: OrgRow;
let r1: Awaited<ReturnType<typeof createRegionTree>>;
let r2: Awaited<ReturnType<typeof createRegionTree>>;

/** Per region, from the view: what the header and the tab showed before the counts were kept. */
async function fromView(): Promise<Record<number, { open: number; incomplete: number }>> {
  const { rows } = await db.raw(
    `SELECT region_of_path(g.path) AS region, count(*)::int AS open, (count(*) FILTER (WHERE ${GAPS_SQL_INCOMPLETE}))::int AS incomplete
       FROM org_passport_gaps g GROUP BY 1`,
  );
  return Object.fromEntries(rows.map((r: { region: number; open: number; incomplete: number }) => [r.region, r]));
}

async function expectTheView() {
  const view = await fromView();
  const header = await headerFiguresOf(db, union);
  const all = Object.values(view);
  expect(header.incompleteBelow).toEqual({
    total: all.reduce((n, r) => n + r.open, 0),
    incomplete: all.reduce((n, r) => n + r.incomplete, 0),
  });
  const { children } = await listChildren(db, union, 'name', 1, 50);
  for (const child of children) expect(child.incomplete, child.name).toBe(view[child.id]?.incomplete ?? 0);
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.ownerDb;
  union = await unionRoot(db);
  r1 = await createRegionTree(db, 77);
  r2 = await createRegionTree(db, 50);
});
afterAll(async () => database.drop());

describe('the incomplete passports of each region, kept by triggers', () => {
  it('say what the view says after new organizations, chairs, e-mails, headcounts, a liquidation and a move', async () => {
    await expectTheView();
    const added = await createOrg(db, r1.territory, 'primary');
    await expectTheView();
    await db('org_officers').insert({
      organization_id: added.id,
      post: 'chair',
      surname: 'Иванова',
      name: 'Анна',
      elected_on: '2024-01-01',
      term_until: '2029-01-01',
    });
    await db('organizations').where({ id: added.id }).update({ email: 'ppo@example.org' });
    await db('org_headcounts').insert({
      organization_id: added.id,
      as_of: '2025-01-01',
      employees_total: 40,
      employees_pedagogical: 20,
    });
    await expectTheView();
    await db('org_officers').where({ organization_id: added.id }).update({ ended_on: '2025-06-01' });
    await expectTheView();
    await db('organizations').where({ id: r1.primary.id }).update({ liquidated_on: '2025-06-01' });
    await expectTheView();
    // a territory moved to the other region takes its organizations' gaps along
    const moved = (await findOrgById(db, r1.territory.id))!;
    await moveSubtree(db, moved, r2.region);
    await expectTheView();
    expect(await db('passport_gap_counts').where({ region_id: r1.region.id }).first('open_orgs')).toEqual({
      open_orgs: 1,
    });
  });

  it('count both of two changes of one region committed side by side', async () => {
    const a = await createOrg(db, r2.territory, 'primary');
    const b = await createOrg(db, r2.territory, 'primary');
    // the second waits for the first's region row, then counts with the first committed
    await commitSideBySide(
      db,
      (trx) => trx('organizations').where({ id: a.id }).update({ email: 'a@example.org' }),
      (trx) => trx('organizations').where({ id: b.id }).update({ email: 'b@example.org' }),
    );
    await expectTheView();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { changeCategory, endMemberships, transferMembers } from '../../src/membership/membership';
import { compactRegionCounts } from '../../src/membership/member-counts.repo';
import { countMembers } from '../../src/members/members.repo';
import { findOrgById, type OrgRow } from '../../src/registry/orgs.repo';
import { headerFiguresOf } from '../../src/registry/passport.repo';
import { listChildren } from '../../src/registry/structure.repo';
import type { TestDatabase } from '../support/db';
import { ownerDatabaseWithTwoRegions, type RegionTree } from '../support/two-regions';
import { createMembers, createOrg, moveSubtree } from '../support/factories';

// Issue 15, item 3: the union's passport header, its structure tab and the union's member list totals read
// the members per region from region_member_counts (each change adds rows of its own, folded hourly) and
// the employees from region_headcounts (recounted per region by triggers), not every organization's
// counters and headcounts. After every kind of change they must say what the cards and headcounts say,
// counted here directly — and no writer may wait for another's open transaction in the same region.

let database: TestDatabase;
let db: Knex;
let union: OrgRow;
let r1: RegionTree;
let r2: RegionTree;
const meta = { actorUserId: null };

/** Per region, from the cards and every organization's latest headcount: the figures before they were kept. */
async function direct() {
  const { rows: members } = await db.raw(
    `SELECT region_of_path(o.path) AS region, count(*)::int AS active, (count(*) FILTER (WHERE m.category = 'working'))::int AS working
       FROM members m JOIN organizations o ON o.id = m.organization_id
      WHERE m.left_on IS NULL AND m.merged_into_id IS NULL GROUP BY 1`,
  );
  const { rows: employees } = await db.raw(
    `SELECT region_of_path(o.path) AS region, sum(h.employees_total)::int AS employees
       FROM (SELECT DISTINCT ON (organization_id) organization_id, employees_total FROM org_headcounts ORDER BY organization_id, as_of DESC) h
       JOIN organizations o ON o.id = h.organization_id AND nlevel(o.path) > 1 GROUP BY 1`,
  );
  const byRegion = new Map<number, { active: number; working: number; employees: number | null }>();
  for (const r of members) byRegion.set(r.region, { active: r.active, working: r.working, employees: null });
  for (const r of employees)
    byRegion.set(r.region, { active: 0, working: 0, ...byRegion.get(r.region), employees: r.employees });
  return byRegion;
}

async function expectDirectCounts(step: string) {
  const expected = await direct();
  const header = await headerFiguresOf(db, union);
  const total = [...expected.values()].reduce((n, r) => n + r.active, 0);
  expect({ step, members: header.activeMembers }).toEqual({ step, members: total });
  const { children } = await listChildren(db, union, 'name', 1, 50);
  for (const child of children) {
    const r = expected.get(child.id) ?? { active: 0, working: 0, employees: null };
    const coverage = r.employees ? Math.round((1000 * r.working) / r.employees) / 10 : null;
    expect({ step, region: child.name, ...pick(child) }).toEqual({
      step,
      region: child.name,
      activeMembers: r.active,
      workingMembers: r.working,
      employees: r.employees,
      coverage,
    });
  }
  // the union's member list counts by the same rows: working women on record, and those who left
  const { rows } = await db.raw(
    `SELECT (count(*) FILTER (WHERE m.left_on IS NULL AND m.category = 'working' AND m.sex = 'f'))::int AS working_women,
            (count(*) FILTER (WHERE m.left_on IS NOT NULL))::int AS left
       FROM members m WHERE m.merged_into_id IS NULL`,
  );
  const reader = { viewPaths: [union.path] };
  expect({
    step,
    workingWomen: await countMembers(db, union, { status: 'active', category: 'working', sex: 'f' }, reader),
    left: await countMembers(db, union, { status: 'left' }, reader),
  }).toEqual({ step, workingWomen: rows[0].working_women, left: rows[0].left });
}

const pick = (c: {
  activeMembers: number;
  workingMembers: number;
  employees: number | null;
  coverage: number | null;
}) => ({
  activeMembers: c.activeMembers,
  workingMembers: c.workingMembers,
  employees: c.employees,
  coverage: c.coverage,
});

beforeAll(async () => {
  ({ database, db, union, r1, r2 } = await ownerDatabaseWithTwoRegions([31, 32]));
});
afterAll(async () => database.drop());

describe('the union figures kept per region', () => {
  it('equal the cards and headcounts counted directly after admissions, transfers, category changes, exits, headcounts and a move', async () => {
    await expectDirectCounts('empty regions');
    const ids = await createMembers(db, r1.primary, 6);
    await createMembers(db, r1.primary, 3, { category: 'student', sex: 'm' });
    await createMembers(db, r2.primary, 4, { left_on: '2025-01-01' });
    await createMembers(db, r2.primary, 5);
    await expectDirectCounts('admitted');
    await db.transaction((trx) => transferMembers(trx, ids.slice(0, 2), r2.primary.id, { ...meta, on: '2026-02-01' }));
    await expectDirectCounts('transferred to another region');
    await db.transaction((trx) => changeCategory(trx, ids[2]!, 'pensioner', false, { ...meta, on: '2026-03-01' }));
    await db.transaction((trx) => endMemberships(trx, [ids[3]!], 'voluntary', { ...meta, on: '2026-04-01' }));
    await expectDirectCounts('category changed and left');

    const headcount = (org: OrgRow, asOf: string, employees: number) =>
      db('org_headcounts').insert({
        organization_id: org.id,
        as_of: asOf,
        employees_total: employees,
        employees_pedagogical: 0,
      });
    await headcount(r1.primary, '2025-01-01', 40);
    await headcount(r1.region, '2025-01-01', 7);
    await headcount(r2.primary, '2025-01-01', 30);
    await expectDirectCounts('headcounts entered');
    // a later date is the latest; its correction and removal fall back to the earlier one
    await headcount(r1.primary, '2026-01-01', 50);
    await expectDirectCounts('a later headcount');
    await db('org_headcounts')
      .where({ organization_id: r1.primary.id, as_of: '2026-01-01' })
      .update({ employees_total: 55 });
    await expectDirectCounts('a headcount corrected');
    await db('org_headcounts').where({ organization_id: r1.primary.id, as_of: '2026-01-01' }).del();
    await expectDirectCounts('a headcount removed');

    // a territory moved to the other region takes its members and headcounts along
    const moved = (await findOrgById(db, r1.territory.id))!;
    await moveSubtree(db, moved, r2.region);
    await expectDirectCounts('a territory moved to another region');
    const regionOne = await listChildren(db, union, 'name', 1, 50);
    expect(regionOne.children.find((c) => c.id === r1.region.id)).toMatchObject({ activeMembers: 0, employees: 7 });

    // each change added rows of its own; folded into one per key, and the counters rebuilt, nothing changes
    const rowsBefore = Number((await db('region_member_counts').count('* as n').first())!.n);
    await compactRegionCounts(db);
    const keys = Number(
      (
        await db.raw(
          'SELECT count(*) AS n FROM (SELECT DISTINCT region_id, on_record, category, sex, is_pedagogical FROM region_member_counts) k',
        )
      ).rows[0].n,
    );
    expect(Number((await db('region_member_counts').count('* as n').first())!.n)).toBe(keys);
    expect(keys).toBeLessThan(rowsBefore);
    await expectDirectCounts('compacted');
    await db.raw('SELECT member_counts_rebuild()');
    await expectDirectCounts('member counts rebuilt');
  });

  it('let a second admission in the same region go on while a first one is still open', async () => {
    const other = await createOrg(db, r2.territory, 'primary');
    const first = await db.transaction();
    try {
      await createMembers(first, r2.primary, 2);
      // the second writer would wait for the first's commit on a shared region row: here it must not wait at all
      await db.transaction(async (trx) => {
        await trx.raw("SET LOCAL lock_timeout = '1s'");
        await createMembers(trx, other, 1);
      });
      await first.commit();
    } finally {
      if (!first.isCompleted()) await first.rollback();
    }
    await expectDirectCounts('two admissions side by side');
  });
});

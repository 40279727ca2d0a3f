import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { changeCategory, endMemberships, transferMembers } from '../../src/membership/membership';
import { countMembers, listMembers } from '../../src/members/members.repo';
import { verifyDerived } from '../../src/ops/verify-derived';
import { EMPLOYER_KINDS } from '../../src/registry/levels';
import { findOrgById, type OrgRow } from '../../src/registry/orgs.repo';
import type { TestDatabase } from '../support/db';
import { ownerDatabaseWithTwoRegions, type RegionTree } from '../support/two-regions';
import { createMembers, createOrg } from '../support/factories';

// Issue 15, item 2: the member list of a region and of the union by employer kind counts its total, and finds
// the regions worth reading, from region_kind_member_counts (the counters per region under the kind of every
// ППО on each organization's path, kept by triggers on member_counts and organizations). After every kind of
// change — admissions, a transfer to a ППО of another kind in another region, a category change, an exit,
// a ППО's kind corrected in its passport, a ППО made a subdivision's, a subtree moved to another region, a
// ППО inside a ППО of another kind, the compaction and the rebuilds — the totals and first pages must be
// what the cards say, counted here directly, and verify-derived must find the table equal.

let database: TestDatabase;
let db: Knex;
let union: OrgRow;
let r1: RegionTree;
let r2: RegionTree;
const meta = { actorUserId: null };

async function expectDirectCounts(step: string) {
  for (const root of [union, r1.region, r2.region]) {
    const reader = { viewPaths: [root.path] };
    for (const status of ['active', 'left', 'all'] as const) {
      for (const employerKind of EMPLOYER_KINDS) {
        const { rows } = await db.raw(
          `SELECT m.id FROM members m JOIN organizations o ON o.id = m.organization_id
            WHERE m.merged_into_id IS NULL AND o.path <@ ?::ltree AND ${status === 'active' ? 'm.left_on IS NULL' : status === 'left' ? 'm.left_on IS NOT NULL' : 'true'}
              AND EXISTS (SELECT 1 FROM organizations p WHERE p.path @> o.path AND p.level = 'primary' AND p.employer_kind = ?)
            ORDER BY m.surname, m.name, m.id`,
          [root.path, employerKind],
        );
        const filter = { status, employerKind };
        const page = await listMembers(db, root, filter, reader, 'name', null, 50);
        expect({
          step,
          root: root.name,
          filter,
          count: await countMembers(db, root, filter, reader),
          ids: page.items.map((m) => m.id),
        }).toEqual({
          step,
          root: root.name,
          filter,
          count: rows.length,
          ids: rows.map((r: { id: string }) => Number(r.id)).slice(0, 50),
        });
      }
    }
  }
  // the kinds kept per organization, read by a walked page (organization_employer_kinds), too
  const checked = ['organization_employer_kinds', 'region_kind_member_counts'];
  const results = await verifyDerived(db, checked);
  expect(results.map((r) => r.name).sort()).toEqual(checked);
  expect({ step, differing: results.filter((r) => r.count) }).toEqual({ step, differing: [] });
}

beforeAll(async () => {
  ({ database, db, union, r1, r2 } = await ownerDatabaseWithTwoRegions([51, 52]));
});
afterAll(async () => database.drop());

describe('the counters per region and employer kind', () => {
  it('give the lists of a region and of the union what the cards say after every kind of change', async () => {
    const college = await createOrg(db, r2.territory, 'primary', { employerKind: 'college' });
    const a = await createMembers(db, r1.primary, 5);
    await createMembers(db, r1.primary, 2, { category: 'student', sex: 'm' });
    const b = await createMembers(db, college, 4, { surname: 'Андреева' });
    await createMembers(db, r2.primary, 2, { left_on: '2025-01-01' });
    await expectDirectCounts('admitted');

    await db.transaction((trx) => transferMembers(trx, a.slice(0, 2), college.id, { ...meta, on: '2026-02-01' }));
    await db.transaction((trx) => changeCategory(trx, a[2]!, 'pensioner', false, { ...meta, on: '2026-03-01' }));
    await db.transaction((trx) => endMemberships(trx, [b[0]!], 'voluntary', { ...meta, on: '2026-04-01' }));
    await expectDirectCounts('transferred to another kind and region, category changed, left');

    // a ППО's kind corrected in its passport: every card below it changes kind, the subdivision's too
    const unit = await createOrg(db, r1.primary, 'subdivision');
    await createMembers(db, unit, 3);
    await db('organizations').where({ id: r1.primary.id }).update({ employer_kind: 'kindergarten' });
    await expectDirectCounts('a ППО of another kind');

    // a ППО moved inside a ППО of another kind (as restructuring may leave it): its cards are under both kinds
    const inner = await createOrg(db, r2.territory, 'primary', { employerKind: 'research' });
    await createMembers(db, inner, 2);
    await db.raw('UPDATE organizations SET parent_id = ?, path = ?::ltree || id::text WHERE id = ?', [
      college.id,
      college.path,
      inner.id,
    ]);
    await expectDirectCounts('a ППО inside another');

    // the college's ППО made a subdivision: its cards are under no kind but the inner ППО's
    await db('organizations').where({ id: college.id }).update({ level: 'subdivision', employer_kind: null });
    await expectDirectCounts('a ППО made a subdivision');

    // the first region's territory moved to the second: its ППО and their cards go along
    const moved = (await findOrgById(db, r1.territory.id))!;
    await db.raw(
      `UPDATE organizations o SET parent_id = CASE WHEN o.id = ? THEN ? ELSE o.parent_id END, path = ?::ltree || subpath(o.path, nlevel(?::ltree) - 1)
        WHERE o.path <@ ?::ltree`,
      [moved.id, r2.region.id, r2.region.path, moved.path, moved.path],
    );
    await expectDirectCounts('a territory moved to another region');

    const rows = async () => Number((await db('region_kind_member_counts').count('* as n').first())!.n);
    const before = await rows();
    await db.raw('SELECT region_kind_member_counts_compact()');
    expect(await rows()).toBeLessThan(before);
    await expectDirectCounts('compacted');
    await db.raw('SELECT region_kind_member_counts_rebuild()');
    await expectDirectCounts('rebuilt');
  });
});

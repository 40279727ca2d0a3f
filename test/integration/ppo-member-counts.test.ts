import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { endMemberships, transferMembers } from '../../src/membership/membership';
import { findOrgById, type OrgRow } from '../../src/registry/orgs.repo';
import { searchSubtree } from '../../src/registry/structure.repo';
import type { TestDatabase } from '../support/db';
import { ownerDatabaseWithTwoRegions, type RegionTree } from '../support/two-regions';
import { commitSideBySide } from '../support/side-by-side';
import { createMembers, createOrg, moveSubtree } from '../support/factories';

// Issue 15, item 2: the organization search's «ППО без членов» reads the ППО at zero in ppo_member_counts
// (the members on record in each ППО's subtree, kept by triggers on the counters and the tree). After
// every kind of change the table must equal the cards counted directly, and the search must list exactly
// the ППО without a member on record below them, at the union and in a region.

let database: TestDatabase;
let db: Knex;
let union: OrgRow;
let r1: RegionTree;
let r2: RegionTree;
const meta = { actorUserId: null };

/** Every ППО with the cards on record in its subtree, counted from the cards. */
async function direct(): Promise<Record<number, number>> {
  const { rows } = await db.raw(
    `SELECT p.id, count(m.id)::int AS n
       FROM organizations p
       JOIN organizations u ON u.path <@ p.path
       LEFT JOIN members m ON m.organization_id = u.id AND m.left_on IS NULL AND m.merged_into_id IS NULL
      WHERE p.level = 'primary' GROUP BY p.id`,
  );
  return Object.fromEntries(rows.map((r: { id: number; n: number }) => [r.id, r.n]));
}

async function kept(): Promise<Record<number, number>> {
  const rows = await db('ppo_member_counts').select('ppo_id', 'on_record');
  return Object.fromEntries(rows.map((r: { ppo_id: number; on_record: string }) => [r.ppo_id, Number(r.on_record)]));
}

/** The search's filter, over the whole union and in each region, lists the open ППО counted at zero. */
async function expectCounted(step: string) {
  const counted = await direct();
  expect({ step, kept: await kept() }).toEqual({ step, kept: counted });
  for (const root of [union, r1.region, r2.region]) {
    const { rows } = await db.raw(
      `SELECT o.id FROM organizations o WHERE o.path <@ ?::ltree AND o.level = 'primary' AND o.liquidated_on IS NULL
        ORDER BY o.name, o.id`,
      [root.path],
    );
    const empty = rows.map((r: { id: number }) => r.id).filter((id: number) => counted[id] === 0);
    const { items } = await searchSubtree(db, root.path, { q: null, filter: 'no_members', after: null }, 50);
    expect({ step, root: root.name, found: items.map((i) => i.id) }).toEqual({ step, root: root.name, found: empty });
  }
}

beforeAll(async () => {
  ({ database, db, union, r1, r2 } = await ownerDatabaseWithTwoRegions([77, 50]));
});
afterAll(async () => database.drop());

describe('the members on record of each ППО, kept by triggers', () => {
  it('equal the cards counted directly after admissions, transfers, exits, deletions and every kind of tree change', async () => {
    await expectCounted('empty ППО');
    const subdivision = await createOrg(db, r1.primary, 'subdivision');
    const group = await createOrg(db, subdivision, 'group');
    const inGroup = await createMembers(db, group, 3);
    await createMembers(db, r2.primary, 2);
    await createMembers(db, r2.primary, 2, { left_on: '2025-01-01' });
    await expectCounted('admitted, some in a group below the ППО');

    // a ППО with a territorial organization's rights holds ППО of its own: a card counts for both
    const holder = await createOrg(db, r1.territory, 'primary', { hasTerritorialRights: true });
    const held = await createOrg(db, holder, 'primary');
    const inHeld = await createMembers(db, held, 2);
    await expectCounted('a ППО inside a ППО');

    await db.transaction((trx) =>
      transferMembers(trx, inGroup.slice(0, 2), r2.primary.id, { ...meta, on: '2026-02-01' }),
    );
    await expectCounted('transferred to another region');
    await db.transaction((trx) => endMemberships(trx, [inGroup[2]!], 'voluntary', { ...meta, on: '2026-03-01' }));
    await expectCounted('the group’s last member left');
    await db.transaction(async (trx) => {
      await trx('membership_events').whereIn('member_id', inHeld).del();
      await trx('member_periods').whereIn('member_id', inHeld).del();
      await trx('members').whereIn('id', inHeld).del();
    });
    await expectCounted('cards deleted');

    // the tree: a populated group moved to another ППО, a ППО that becomes a territory, a removed ППО,
    // a liquidation, a territory moved to another region
    await createMembers(db, group, 4);
    await moveSubtree(db, (await findOrgById(db, subdivision.id))!, r2.primary);
    await expectCounted('a populated subdivision moved to another ППО');
    await db('organizations').where({ id: holder.id }).update({ level: 'territorial' });
    await expectCounted('a ППО turned territorial');
    await db('organizations').where({ id: holder.id }).update({ level: 'primary' });
    await expectCounted('and back');
    const removed = await createOrg(db, r1.territory, 'primary');
    await expectCounted('a new ППО');
    await db('organizations').where({ id: removed.id }).del();
    await expectCounted('removed');
    await db('organizations').where({ id: r1.primary.id }).update({ liquidated_on: '2025-06-01' });
    await expectCounted('liquidated');
    await createMembers(db, held, 1);
    await moveSubtree(db, (await findOrgById(db, r1.territory.id))!, r2.region);
    await expectCounted('a territory moved to another region');

    const before = await kept();
    await db.raw('SELECT member_counts_rebuild()');
    await db.raw('SELECT ppo_member_counts_rebuild()');
    expect(await kept()).toEqual(before);
  });

  it('count both of two exits from one ППО committed side by side', async () => {
    const ppo = await createOrg(db, r2.territory, 'primary');
    const a = await createOrg(db, ppo, 'group');
    const b = await createOrg(db, ppo, 'group');
    const [inA] = await createMembers(db, a, 1);
    const [inB] = await createMembers(db, b, 1);
    // the second waits for the first's ППО row, then adds its own change to the first's
    await commitSideBySide(
      db,
      (trx) => endMemberships(trx, [inA!], 'voluntary', { ...meta, on: '2026-03-01' }),
      (trx) => endMemberships(trx, [inB!], 'voluntary', { ...meta, on: '2026-03-01' }),
    );
    expect((await kept())[ppo.id]).toBe(0);
    await expectCounted('two exits side by side');
  });
});

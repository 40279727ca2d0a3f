import { beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { useTestApp } from '../support/app';
import { createMembers, createOrg, createRegionTree, uniq } from '../support/factories';
import {
  memberFiguresOn,
  refreshMemberFigures,
  warmMonitoring,
  type MemberFigures,
} from '../../src/monitoring/monitoring.repo';
import { endMemberships, transferMembers } from '../../src/membership/membership';
import { moveCardHistory } from '../../src/members/duplicates.repo';
import { todayIso } from '../../src/shared/dates';
import type { OrgRow } from '../../src/registry/org-row';

// The monitoring's member figures kept per (date, organization) (migration create-monitoring-cache): after
// every kind of change the page's figures equal a count made here from the periods, cards and consents
// themselves, only the touched organizations are computed again, and a build that read before a change
// committed is never trusted.
const ctx = useTestApp();
const db = () => ctx.database.ownerDb;
const TODAY = todayIso();
const PAST = '2025-01-01';
let region: OrgRow, t1: OrgRow, t2: OrgRow, p1: OrgRow, p2: OrgRow, p3: OrgRow;
let p1Members: number[], p2Members: number[], p3Members: number[];

const exists = (table: string, test: string) =>
  `EXISTS (SELECT 1 FROM ${table} x WHERE x.member_id = m.id AND ${test})`;
const card = (test: string) => exists('union_cards', test);
const consent = (kind: string) => exists('member_consents', `x.kind = '${kind}' AND x.withdrawn_on IS NULL`);
/** Each figure counted from the rows themselves, one EXISTS per member and test. */
const EXPECTED: Record<keyof Omit<MemberFigures, 'childId'>, string> = {
  members: 'true',
  working: "p.category = 'working'",
  student: "p.category = 'student'",
  pensioner: "p.category = 'pensioner'",
  unemployed: "p.category = 'unemployed'",
  requested: card("x.status = 'requested'"),
  sentToProduction: card("x.status = 'sent_to_production'"),
  produced: card("x.status = 'produced'"),
  deliveredToRegion: card("x.status = 'delivered_to_region'"),
  handedToOrganization: card("x.status = 'handed_to_organization'"),
  issued: card("x.status = 'issued'"),
  refused: card("x.status = 'refused'"),
  lost: card("x.status = 'lost'"),
  blocked: card("x.status = 'blocked'"),
  issuedPlastic: card("x.status = 'issued' AND x.kind = 'plastic'"),
  issuedVirtual: card("x.status = 'issued' AND x.kind = 'virtual'"),
  withoutCard: `NOT ${card("x.status NOT IN ('refused', 'lost', 'blocked')")}`,
  processingConsent: consent('processing'),
  withoutProcessingConsent: `NOT ${consent('processing')}`,
  mailingConsent: consent('mailing'),
};

async function counted(on: string): Promise<Map<number, MemberFigures>> {
  const { rows } = await db().raw(
    `SELECT t.id AS "childId", ${Object.entries(EXPECTED)
      .map(([k, test]) => `count(*) FILTER (WHERE ${test})::int AS "${k}"`)
      .join(', ')}
       FROM organizations t JOIN organizations o ON o.path <@ t.path
       JOIN member_periods p ON p.organization_id = o.id AND p.valid_from <= ?::date AND (p.valid_to IS NULL OR p.valid_to > ?::date)
       JOIN members m ON m.id = p.member_id AND m.merged_into_id IS NULL
      WHERE t.parent_id = ? GROUP BY t.id`,
    [on, on, region.id],
  );
  return new Map(rows.map((r: MemberFigures) => [r.childId, r]));
}

async function shown(on: string): Promise<Map<number, MemberFigures>> {
  return new Map((await memberFiguresOn(db(), region, on)).map((r) => [r.childId, r]));
}

async function expectEqualToCount() {
  for (const on of [TODAY, PAST]) expect(await shown(on), on).toEqual(await counted(on));
}

/** The subtree's organizations whose kept figures of the date are trusted. */
async function keptOrgs(on: string): Promise<number> {
  const { rows } = await db().raw(
    `SELECT count(*)::int AS n FROM monitoring_cache c JOIN organizations o ON o.id = c.organization_id
       LEFT JOIN monitoring_gens g ON g.organization_id = c.organization_id
      WHERE c.as_of = ? AND o.path <@ ?::ltree AND c.gen = coalesce(g.gen, 0)`,
    [on, region.path],
  );
  return rows[0].n;
}
const subtreeSize = async () =>
  Number((await db()('organizations').whereRaw('path <@ ?::ltree', [region.path]).count({ n: '*' }))[0]!.n);

const meta = { on: TODAY, actorUserId: null };
const inTransaction = (work: (trx: Knex.Transaction) => Promise<unknown>) => db().transaction(work);

beforeAll(async () => {
  const tree = await createRegionTree(db(), 31);
  region = tree.region;
  t1 = tree.territory;
  p1 = tree.primary;
  p2 = await createOrg(db(), t1, 'primary');
  t2 = await createOrg(db(), region, 'territorial');
  p3 = await createOrg(db(), t2, 'primary');
  p1Members = [...(await createMembers(db(), p1, 4)), ...(await createMembers(db(), p1, 2, { category: 'student' }))];
  p2Members = [
    ...(await createMembers(db(), p2, 2, { category: 'pensioner' })),
    ...(await createMembers(db(), p2, 1, { left_on: '2025-06-01' })),
    ...(await createMembers(db(), p2, 1, { joined_on: '2026-03-01' })),
  ];
  p3Members = await createMembers(db(), p3, 2);
  const [a, b, c, d] = p1Members as [number, number, number, number];
  await db()('union_cards').insert([
    { number: uniq('31'), member_id: a, status: 'issued', kind: 'plastic', status_on: '2025-10-01' },
    { number: uniq('31'), member_id: b, status: 'issued', kind: 'virtual', status_on: '2025-10-01' },
    { number: uniq('31'), member_id: c, status: 'delivered_to_region', kind: 'plastic', status_on: '2025-10-01' },
    { number: uniq('31'), member_id: d, status: 'refused', kind: 'plastic', status_on: '2025-10-01' },
    { number: uniq('31'), member_id: p3Members[0]!, status: 'requested', kind: 'plastic', status_on: '2025-10-01' },
  ]);
  const given = { text_version: '1', source: 'paper', given_on: '2024-02-01' };
  await db()('member_consents').insert([
    { member_id: a, kind: 'processing', ...given },
    { member_id: b, kind: 'processing', ...given },
    { member_id: a, kind: 'mailing', channel: 'email', ...given },
    { member_id: p3Members[1]!, kind: 'processing', ...given },
  ]);
});

describe('the monitoring figures kept per date and organization', () => {
  it('when built, then every organization of the subtree is kept once and the figures equal the count of the rows', async () => {
    const size = await subtreeSize();
    for (const on of [TODAY, PAST]) {
      expect(await refreshMemberFigures(db(), region, on)).toBe(size);
      expect(await refreshMemberFigures(db(), region, on)).toBe(0);
      expect(await keptOrgs(on)).toBe(size);
    }
    await expectEqualToCount();
    expect((await shown(TODAY)).get(t1.id)).toMatchObject({ members: 9, issued: 2, withoutCard: 6, mailingConsent: 1 });
  });

  const changes: [string, () => Promise<unknown>, OrgRow[]][] = [
    [
      'a card changes status',
      () => db()('union_cards').where({ member_id: p1Members[2]! }).update({ status: 'issued' }),
      [p1],
    ],
    [
      'a card is added',
      () =>
        db()('union_cards').insert({
          number: uniq('31'),
          member_id: p2Members[0]!,
          status: 'produced',
          kind: 'virtual',
          status_on: TODAY,
        }),
      [p2],
    ],
    [
      'a consent is withdrawn',
      () =>
        db()('member_consents').where({ member_id: p1Members[0]!, kind: 'mailing' }).update({ withdrawn_on: TODAY }),
      [p1],
    ],
    [
      'a member is transferred',
      () => inTransaction((trx) => transferMembers(trx, [p1Members[4]!], p3.id, meta)),
      [p1, p3],
    ],
    ['a member leaves', () => inTransaction((trx) => endMemberships(trx, [p3Members[1]!], 'voluntary', meta)), [p3]],
    [
      'a duplicate card is merged into another',
      () => inTransaction((trx) => moveCardHistory(trx, p2Members[1]!, p1Members[1]!, TODAY)),
      [p1, p2],
    ],
  ];
  for (const [change, make, touched] of changes)
    it(`when ${change}, then the figures equal the count at once, and only the touched organizations are computed again`, async () => {
      await make();
      await expectEqualToCount();
      for (const on of [TODAY, PAST]) {
        const built = await refreshMemberFigures(db(), region, on);
        expect(built).toBeGreaterThanOrEqual(1);
        // the organizations of the changed rows' members' periods, never the whole subtree
        expect(built).toBeLessThanOrEqual(touched.length + 1);
      }
      await expectEqualToCount();
    });

  it('when a change commits while a build computes, then the build is not trusted for the changed organization', async () => {
    await db()('union_cards').where({ member_id: p1Members[0]! }).update({ status: 'lost' }); // P1 is stale
    const trx = await db().transaction();
    try {
      await trx('union_cards').where({ member_id: p1Members[0]! }).update({ status: 'blocked' });
      // the build reads before the change commits: P1's figures with the card still lost
      expect(await refreshMemberFigures(db(), region, TODAY)).toBe(1);
    } finally {
      await trx.commit();
    }
    expect((await shown(TODAY)).get(t1.id)?.blocked).toBe((await counted(TODAY)).get(t1.id)?.blocked);
    await expectEqualToCount();
    expect(await refreshMemberFigures(db(), region, TODAY)).toBe(1);
    await expectEqualToCount();
  });

  it('when the hourly housekeeping runs, then today is built for the whole union and dates not computed for a week are forgotten', async () => {
    await db()('union_cards').where({ member_id: p1Members[2]! }).update({ status: 'lost' }); // P1 stale today
    await db()('monitoring_cache')
      .where({ as_of: PAST })
      .update({ built_at: db().raw("now() - interval '8 days'") });
    await warmMonitoring(db(), TODAY);
    expect(await keptOrgs(PAST)).toBe(0);
    expect(await keptOrgs(TODAY)).toBe(await subtreeSize());
    await expectEqualToCount();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { findOrgById, type OrgRow } from '../../src/registry/orgs.repo';
import { headerFiguresOf } from '../../src/registry/passport.repo';
import { listChildren, ORG_FILTERS, searchSubtree } from '../../src/registry/structure.repo';
import { GAPS_SQL_INCOMPLETE } from '../../src/registry/completeness';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { commitSideBySide } from '../support/side-by-side';
import { createOrg, createRegionTree, moveSubtree, unionRoot } from '../support/factories';

// Issue 15, item 3: the union's passport header and structure tab read the incomplete passports of each
// region from passport_gap_counts (kept by triggers) instead of the view over every organization. After
// every kind of change the view counts, they must say what the view says — also when two changes of one
// region commit side by side. Item 2: the view itself reads each organization's gaps from
// org_passport_flags (kept by triggers); its rows, and the organization search by each passport filter,
// must be what the live computation (org_passport_gaps_live) says.

let database: TestDatabase;
let db: Knex;
let union: OrgRow;
let r1: Awaited<ReturnType<typeof createRegionTree>>;
let r2: Awaited<ReturnType<typeof createRegionTree>>;

/** Every open organization's gaps computed now from its chair, e-mail and headcounts (the former view). */
const LIVE = `SELECT g.id, o.path, o.level, g.no_chair, g.no_chair_term, coalesce(g.chair_term_until < current_date, false) AS chair_term_expired,
                     g.no_email, g.no_headcount
                FROM org_passport_gaps_live g JOIN organizations o ON o.id = g.id`;

/** Per region, computed live: what the header and the tab showed before the counts were kept. */
async function fromView(): Promise<Record<number, { open: number; incomplete: number }>> {
  const { rows } = await db.raw(
    `SELECT region_of_path(g.path) AS region, count(*)::int AS open, (count(*) FILTER (WHERE ${GAPS_SQL_INCOMPLETE}))::int AS incomplete
       FROM (${LIVE}) g GROUP BY 1`,
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
  await expectKeptGaps();
}

/** The view's rows equal the live computation, and the search by each passport filter lists its rows. */
async function expectKeptGaps() {
  const ordered = (from: string) => db.raw(`SELECT * FROM (${from}) g ORDER BY id`).then((r) => r.rows);
  expect(await ordered('SELECT * FROM org_passport_gaps')).toEqual(await ordered(LIVE));
  for (const filter of ['no_chair', 'expired_term', 'no_term', 'incomplete'] as const) {
    const { rows } = await db.raw(
      `SELECT g.id FROM (${LIVE}) g JOIN organizations o ON o.id = g.id WHERE ${ORG_FILTERS[filter]} ORDER BY o.name, o.id`,
    );
    const { items } = await searchSubtree(db, union.path, { q: null, filter, after: null }, 100);
    expect({ filter, found: items.map((i) => i.id) }).toEqual({ filter, found: rows.map((r: { id: number }) => r.id) });
  }
}

const chair = (org: OrgRow, post: 'chair' | 'group_organizer', electedOn: string, termUntil: string | null) => ({
  organization_id: org.id,
  post,
  surname: 'Иванова',
  name: 'Анна',
  elected_on: electedOn,
  term_until: termUntil,
});

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
    // a chair whose term has passed; a group's organizer without a term; the last headcount removed
    await db('org_officers').insert(chair(added, 'chair', '2020-01-01', '2024-12-31'));
    const group = await createOrg(db, added, 'group');
    await db('org_officers').insert(chair(group, 'group_organizer', '2024-01-01', null));
    await expectTheView();
    await db('org_headcounts').where({ organization_id: added.id }).del();
    await expectTheView();
    // another level (a group's organizer is no ППО chair), a removed organization
    await db('organizations').where({ id: group.id }).update({ level: 'subdivision' });
    await expectTheView();
    await db('org_officers').where({ organization_id: group.id }).del();
    await db('organizations').where({ id: group.id }).del();
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

  it('keep both of two changes of one organization committed side by side', async () => {
    const c = await createOrg(db, r2.territory, 'primary');
    // the second waits for the first's row, then computes the organization with the first committed
    await commitSideBySide(
      db,
      (trx) => trx('org_officers').insert(chair(c, 'chair', '2024-01-01', '2029-01-01')),
      (trx) => trx('organizations').where({ id: c.id }).update({ email: 'c@example.org' }),
    );
    expect(await db('org_passport_gaps').where({ id: c.id }).first('no_chair', 'no_email')).toEqual({
      no_chair: false,
      no_email: false,
    });
    await expectTheView();
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

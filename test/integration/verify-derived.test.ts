import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { loadDemoDataset } from '../../seeds/demo/demo-dataset';
import type { Principal } from '../../src/access/principal';
import { APP_ROOT } from '../../src/app-paths';
import { changeCategory, endMemberships, transferMembers } from '../../src/membership/membership';
import { DERIVED_CHECKS, verifyDerived } from '../../src/ops/verify-derived';
import { findOrgById, type OrgRow } from '../../src/registry/orgs.repo';
import { createPassportService } from '../../src/registry/passport.service';
import { createRestructureService } from '../../src/registry/restructure.service';
import { refreshUnionStats } from '../../src/reports/indicators/union-stats';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { createOrg } from '../support/factories';

// `npm run verify-derived` counts every derived table again from its sources (docs/derived-data.md).
// On the demo union with its statistics built and then changed through the services, every table equals
// its recomputation; spoiling one row of each table by SQL, past the triggers that keep it, is reported
// for that table.

let database: TestDatabase;
let db: Knex;
let union: OrgRow;
const noActor = { actorUserId: null };
const ctx = { actorUserId: null, requestId: null, ip: null };
const DATES = [
  ['2026-04-01', '2026-01-01'],
  ['2026-07-01', '2026-04-01'],
] as const;

const differing = async () => (await verifyDerived(db)).filter((r) => r.count).map((r) => r.name);
const orgOf = async (sql: string) => (await findOrgById(db, (await db.raw(sql)).rows[0].id))!;
const buildStatistics = async () => {
  for (const [date, start] of DATES) await refreshUnionStats(db, date, start);
};

function admin(): Principal {
  return {
    id: 0,
    username: 'test',
    fullName: 'Тест',
    mustChangePassword: false,
    memberId: null,
    secondFactorEnrolled: false,
    grants: [
      {
        role: 'admin',
        organizationId: union.id,
        organizationPath: union.path,
        organizationLevel: 'union',
        organizationInpo: union.inpo,
        organizationName: union.name,
      },
    ],
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.ownerDb;
  await loadDemoDataset(db, 4);
  union = await orgOf('SELECT id FROM organizations WHERE parent_id IS NULL');
  // groups in 40 more blocks of organization ids: the first build of the union's statistics takes the
  // whole-union path (from the member state), the verification counts the blocks from the periods
  const ppo = await orgOf("SELECT id FROM organizations WHERE level = 'primary' ORDER BY id LIMIT 1");
  for (let block = 1; block <= 40; block++) {
    await db.raw("SELECT setval(pg_get_serial_sequence('organizations', 'id'), ?)", [block * 512]);
    await createOrg(db, ppo, 'group');
  }
  await buildStatistics();
}, 120_000);
afterAll(async () => database.drop());

describe('verify-derived', () => {
  it('finds every derived table equal to its recomputation on the demo union with its statistics built', async () => {
    const results = await verifyDerived(db);
    expect(results.map((r) => r.name)).toEqual(DERIVED_CHECKS.map((c) => c.name));
    expect(results.filter((r) => r.count)).toEqual([]);
    // the statistics were really there to compare
    const kept = (
      await db.raw(
        'SELECT (SELECT count(*) FROM member_state_cached_orgs) AS orgs, (SELECT count(DISTINCT block) FROM union_stats_fresh) AS blocks',
      )
    ).rows[0];
    expect(kept.orgs).toBeGreaterThan(100);
    expect(kept.blocks).toBe(41);
  });

  it('still finds them equal after transfers across regions, exits, category changes, corrected persons, a move to another region and a dated agreement', async () => {
    const [regionA, regionB] = (
      await db('organizations').where({ level: 'regional' }).orderBy('id').limit(2).select('id')
    ).map((r) => r.id as number) as [number, number];
    const target = await orgOf(
      `SELECT id FROM organizations WHERE level = 'primary' AND path <@ (SELECT path FROM organizations WHERE id = ${regionB}) ORDER BY id LIMIT 1`,
    );
    const movers: number[] = await db('members as m')
      .join('organizations as o', 'o.id', 'm.organization_id')
      .whereNull('m.left_on')
      .whereRaw('o.path <@ (SELECT path FROM organizations WHERE id = ?)', [regionA])
      .orderBy('m.id')
      .limit(6)
      .pluck('m.id');
    await db.transaction((trx) =>
      transferMembers(trx, movers.slice(0, 2), target.id, { on: '2026-03-10', ...noActor }),
    );
    await db.transaction((trx) => endMemberships(trx, [movers[2]!], 'voluntary', { on: '2026-05-05', ...noActor }));
    await db.transaction((trx) =>
      changeCategory(trx, movers[3]!, 'unemployed', false, { on: '2026-02-02', ...noActor }),
    );
    await db('members').where({ id: movers[4] }).update({ sex: 'm', birth_date: '1999-12-31' });
    const territory = await orgOf(
      `SELECT id FROM organizations WHERE level = 'territorial' AND path <@ (SELECT path FROM organizations WHERE id = ${regionA}) ORDER BY id LIMIT 1`,
    );
    await createRestructureService(db).move(admin(), ctx, territory, (await findOrgById(db, regionB))!, '2026-03-01');
    await createPassportService(db).saveAgreement(ctx, target, {
      status: 'active',
      noneReason: null,
      signedOn: '2026-01-15',
      validFrom: '2026-01-15',
      validTo: '2029-01-14',
      registrationNumber: 'КД-7',
      registrationDate: '2026-01-20',
      asOf: '2026-01-15',
    });
    expect(await differing()).toEqual([]);
    await buildStatistics();
    expect(await differing()).toEqual([]);
  });

  /** As a restore or a careless hand would write: no trigger fires (the owner's replica mode). */
  const pastTriggers = (sql: string) => `SET LOCAL session_replication_role = replica; ${sql}`;
  /** Only the guard set aside: the card's state changes with its counters, past the check that would refuse it at commit. */
  const pastGuard = (sql: string) =>
    `ALTER TABLE members DISABLE TRIGGER membership_guard_updated; ${sql}; ALTER TABLE members ENABLE TRIGGER membership_guard_updated`;

  // [table, the spoiling statements, the rebuild of docs/derived-data.md that puts it right]
  const spoiled: [string, string, string][] = [
    [
      'organizations.path',
      pastTriggers("UPDATE organizations SET path = path || '0' WHERE id = (SELECT max(id) FROM organizations)"),
      pastTriggers(
        'UPDATE organizations o SET path = p.path || o.id::text FROM organizations p WHERE p.id = o.parent_id AND o.path <> p.path || o.id::text',
      ),
    ],
    [
      'members.region_id',
      pastTriggers('UPDATE members SET region_id = region_id + 1 WHERE id = (SELECT min(id) FROM members)'),
      // the counters follow the cards' regions: rebuilt after them
      `UPDATE members m SET region_id = region_of_path(o.path) FROM organizations o WHERE o.id = m.organization_id AND m.region_id IS DISTINCT FROM region_of_path(o.path);
       SELECT member_counts_rebuild(); SELECT region_card_counts_rebuild(); SELECT region_consent_counts_rebuild(); SELECT region_kind_member_counts_rebuild()`,
    ],
    [
      'members (live union card)',
      pastTriggers(
        "UPDATE members SET live_card_status = NULL, live_card_kind = NULL WHERE id = (SELECT min(member_id) FROM union_cards WHERE status = 'issued')",
      ),
      'SELECT members_live_card_rebuild()',
    ],
    // a generated column cannot be written past PostgreSQL: it goes wrong when match_key() is replaced
    // (here by a stand-in, the original kept aside under another name; the column still calls the original)
    [
      'members.surname_key',
      `ALTER FUNCTION match_key(text) RENAME TO match_key_kept;
       CREATE FUNCTION match_key(t text) RETURNS text LANGUAGE sql IMMUTABLE RETURN upper(t)`,
      'DROP FUNCTION match_key(text); ALTER FUNCTION match_key_kept(text) RENAME TO match_key',
    ],
    [
      'members (state on record)',
      pastGuard(
        "UPDATE members SET category = 'pensioner' WHERE id = (SELECT min(id) FROM members WHERE left_on IS NULL AND category <> 'pensioner')",
      ),
      pastGuard(
        'UPDATE members m SET category = p.category FROM member_periods p WHERE p.member_id = m.id AND p.valid_to IS NULL AND m.category <> p.category',
      ),
    ],
    // a day on the earliest birth date, long past 35: no figure changes
    [
      'member_periods (sex, birth_date)',
      pastTriggers(
        'UPDATE member_periods SET birth_date = birth_date + 1 WHERE id = (SELECT id FROM member_periods ORDER BY birth_date, id LIMIT 1)',
      ),
      `UPDATE member_periods p SET sex = m.sex, birth_date = m.birth_date FROM members m
        WHERE m.id = p.member_id AND (p.sex, p.birth_date) IS DISTINCT FROM (m.sex, m.birth_date)`,
    ],
    // another ППО on one period: what the caches counted under the right one differs from it too
    [
      'member_periods (ppo_id)',
      pastTriggers(
        'UPDATE member_periods SET ppo_id = (SELECT max(id) FROM organizations) WHERE id = (SELECT min(id) FROM member_periods)',
      ),
      `UPDATE member_periods p SET ppo_id = unit_ppo_on(p.organization_id, p.valid_from) WHERE p.ppo_id IS DISTINCT FROM unit_ppo_on(p.organization_id, p.valid_from);
       DELETE FROM member_state_cached_orgs; DELETE FROM union_stats_fresh`,
    ],
    [
      'member_counts',
      pastTriggers('UPDATE member_counts SET n = n + 1 WHERE ctid = (SELECT min(ctid) FROM member_counts WHERE n > 0)'),
      // the per-region and per-ППО counters followed the rebuild's difference from the spoiled row: counted again after it
      'SELECT member_counts_rebuild(); SELECT region_member_counts_rebuild(); SELECT ppo_member_counts_rebuild(); SELECT region_kind_member_counts_rebuild()',
    ],
    [
      'org_passport_flags',
      pastTriggers(
        'UPDATE org_passport_flags SET no_email = NOT no_email WHERE id = (SELECT min(id) FROM org_passport_flags)',
      ),
      'SELECT org_passport_flags_refresh(ARRAY(SELECT id FROM organizations))',
    ],
    [
      'passport_gap_counts',
      pastTriggers(
        'UPDATE passport_gap_counts SET incomplete = incomplete + 1 WHERE region_id = (SELECT min(region_id) FROM passport_gap_counts)',
      ),
      'SELECT passport_gap_counts_refresh(ARRAY(SELECT region_id FROM passport_gap_counts))',
    ],
    // a change's own row added past the triggers; the per-region counters are counted again from member_counts
    [
      'region_member_counts',
      pastTriggers(
        'INSERT INTO region_member_counts (region_id, on_record, category, sex, is_pedagogical, n) SELECT region_id, on_record, category, sex, is_pedagogical, 1 FROM region_member_counts LIMIT 1',
      ),
      'SELECT region_member_counts_rebuild()',
    ],
    [
      'region_kind_member_counts',
      pastTriggers(
        'INSERT INTO region_kind_member_counts (region_id, employer_kind, on_record, category, sex, is_pedagogical, n) SELECT region_id, employer_kind, on_record, category, sex, is_pedagogical, 1 FROM region_kind_member_counts LIMIT 1',
      ),
      'SELECT region_kind_member_counts_rebuild()',
    ],
    [
      'organization_employer_kinds',
      pastTriggers(
        'DELETE FROM organization_employer_kinds WHERE organization_id = (SELECT min(organization_id) FROM organization_employer_kinds)',
      ),
      'SELECT organization_employer_kinds_rebuild()',
    ],
    // what members hold per region: a change's own row added past the triggers; counted again from the source
    [
      'region_card_counts',
      pastTriggers(
        'INSERT INTO region_card_counts (region_id, on_record, status, kind, n) SELECT region_id, on_record, status, kind, 1 FROM region_card_counts LIMIT 1',
      ),
      'SELECT region_card_counts_rebuild()',
    ],
    [
      'region_consent_counts',
      pastTriggers(
        'INSERT INTO region_consent_counts (region_id, on_record, kind, n) SELECT region_id, on_record, kind, 1 FROM region_consent_counts LIMIT 1',
      ),
      'SELECT region_consent_counts_rebuild()',
    ],
    [
      'region_headcounts',
      pastTriggers(
        'UPDATE region_headcounts SET employees = employees + 1 WHERE region_id = (SELECT min(region_id) FROM region_headcounts)',
      ),
      'SELECT region_headcounts_refresh(ARRAY(SELECT id FROM organizations WHERE nlevel(path) = 2))',
    ],
    [
      'ppo_member_counts',
      pastTriggers(
        'UPDATE ppo_member_counts SET on_record = on_record + 1 WHERE ppo_id = (SELECT min(ppo_id) FROM ppo_member_counts)',
      ),
      'SELECT ppo_member_counts_rebuild()',
    ],
    [
      'org_tree_history',
      pastTriggers(
        "UPDATE org_tree_history SET valid_from = '2001-01-01' WHERE organization_id = (SELECT max(id) FROM organizations) AND valid_from = '-infinity'",
      ),
      pastTriggers(
        "UPDATE org_tree_history SET valid_from = '-infinity' WHERE organization_id = (SELECT max(id) FROM organizations) AND valid_from = '2001-01-01'",
      ),
    ],
    [
      'collective_agreements',
      pastTriggers(
        "UPDATE collective_agreements SET registration_number = 'испорчен' WHERE organization_id = (SELECT min(organization_id) FROM collective_agreements)",
      ),
      `UPDATE collective_agreements a SET status = h.status, none_reason = h.none_reason, signed_on = h.signed_on, valid_from = h.valid_from, valid_to = h.valid_to,
              registration_number = h.registration_number, registration_date = h.registration_date
         FROM (SELECT DISTINCT ON (organization_id) * FROM collective_agreement_history ORDER BY organization_id, as_of DESC) h
        WHERE h.organization_id = a.organization_id
          AND (a.status, a.none_reason, a.signed_on, a.valid_from, a.valid_to, a.registration_number, a.registration_date)
              IS DISTINCT FROM (h.status, h.none_reason, h.signed_on, h.valid_from, h.valid_to, h.registration_number, h.registration_date)`,
    ],
    // a current term's end a year past its rule, with the trigger that computes it disabled
    [
      'org_officers.term_until',
      `ALTER TABLE org_officers DISABLE TRIGGER org_officers_compute_term;
       UPDATE org_officers SET term_until = term_until + interval '1 year'
        WHERE id = (SELECT min(id) FROM org_officers WHERE ended_on IS NULL AND term_until IS NOT NULL);
       ALTER TABLE org_officers ENABLE TRIGGER org_officers_compute_term`,
      'UPDATE org_officers f SET term_until = NULL WHERE f.ended_on IS NULL',
    ],
    // a cache is put right by forgetting it: the next report (here, the next build) computes it again
    [
      'member_state_cache',
      pastTriggers('UPDATE member_state_cache SET n = n + 1 WHERE ctid = (SELECT min(ctid) FROM member_state_cache)'),
      'DELETE FROM member_state_cached_orgs',
    ],
    [
      'union_stats',
      pastTriggers(
        'UPDATE union_stats SET total = total + 1 WHERE ctid = (SELECT min(ctid) FROM union_stats WHERE total IS NOT NULL)',
      ),
      'DELETE FROM union_stats_fresh',
    ],
  ];

  const inTransaction = (sql: string) => db.transaction((trx) => trx.raw(sql));

  it.each(spoiled)(
    'reports %s when one of its rows is spoiled past the triggers, and nothing once it is put back',
    async (table, spoil, restore) => {
      await inTransaction(spoil);
      const results = await verifyDerived(db);
      const found = results.find((r) => r.name === table)!;
      expect(found.count).toBeGreaterThan(0);
      expect(found.sample.length).toBeGreaterThan(0);
      // a path that changed without its trigger is also not the tree history's open position; a period's
      // ППО is what the caches count by
      const alsoDiffering: Record<string, string[]> = {
        'organizations.path': ['org_tree_history'],
        'member_periods (ppo_id)': ['member_state_cache', 'union_stats'],
      };
      const others = results.filter((r) => r.count && r.name !== table).map((r) => r.name);
      expect(others.filter((name) => !alsoDiffering[table]?.includes(name))).toEqual([]);
      if (table === 'organizations.path') expect(others).toEqual(['org_tree_history']);
      await inTransaction(restore);
      await buildStatistics();
      expect(await differing()).toEqual([]);
    },
  );

  it('as `npm run verify-derived`, prints each table and exits 1 only when one differs', async () => {
    const run = () =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/ops/verify-derived-cli.ts'], {
        cwd: APP_ROOT,
        env: { PATH: process.env.PATH, DATABASE_URL: database.url },
        encoding: 'utf8',
        timeout: 120_000,
      });
    const clean = run();
    expect(clean.status, clean.stderr).toBe(0);
    for (const check of DERIVED_CHECKS)
      expect(clean.stdout).toMatch(new RegExp(`^${check.name.replace(/[()]/g, '\\$&')}\\s+equal`, 'm'));
    await inTransaction(spoiled.find(([t]) => t === 'member_counts')![1]);
    const spoilt = run();
    expect(spoilt.status).toBe(1);
    expect(spoilt.stdout).toMatch(/^member_counts\s+1 differing/m);
    expect(spoilt.stdout).toContain('Differences in member_counts');
  }, 120_000);
});

import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_ROOT } from '../../src/app-paths';
import { verifyDerived } from '../../src/ops/verify-derived';
import { createTestDatabase, type TestDatabase } from '../support/db';

let database: TestDatabase | undefined;
afterAll(async () => database?.drop());

function seed(url: string, members: number, seedNumber: number) {
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'seeds/scale/seed-scale.ts',
      '--members',
      String(members),
      '--seed',
      String(seedNumber),
      '--yes',
    ],
    {
      cwd: APP_ROOT,
      env: { PATH: process.env.PATH, DATABASE_URL: url },
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

describe('full-scale generator (small size)', () => {
  it('when run twice with one seed, then it loads the same consistent union, with every index and constraint back in place', async () => {
    database = await createTestDatabase();
    const db = database.ownerDb;
    const structure = async () =>
      (
        await db.raw(`
      SELECT (SELECT string_agg(indexdef, ';' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public') AS indexes,
             (SELECT string_agg(conname || pg_get_constraintdef(oid), ';' ORDER BY conname) FROM pg_constraint WHERE connamespace = 'public'::regnamespace) AS constraints`)
      ).rows[0];
    const before = await structure();
    expect(seed(database.url, 3000, 7)).toContain('3000 members');
    const checksum = async () =>
      (
        await db.raw(
          "SELECT md5(string_agg(concat_ws('|', id, organization_id, surname, name, birth_date, category, left_on), ',' ORDER BY id)) AS sum FROM members",
        )
      ).rows[0].sum;
    const first = await checksum();
    const counts = (
      await db.raw(`
      SELECT (SELECT count(*) FROM organizations WHERE level = 'regional') AS regions,
             (SELECT count(*) FROM members) AS members,
             (SELECT count(*) FROM member_periods) AS periods,
             (SELECT count(*) FROM membership_events WHERE kind = 'admitted') AS admitted,
             (SELECT count(*) FROM members m JOIN organizations o ON o.id = m.organization_id WHERE o.level <> 'primary') AS misplaced,
             (SELECT count(*) FROM members WHERE left_on IS NOT NULL) AS left_members,
             (SELECT count(*) FROM member_periods WHERE valid_to IS NOT NULL) AS closed_periods,
             (SELECT count(*) FROM members m JOIN organizations o ON o.id = m.organization_id WHERE m.region_id <> subpath(o.path, 1, 1)::text::int) AS wrong_region,
             (SELECT count(*) FROM members WHERE surname_key IS DISTINCT FROM match_key(surname)) AS wrong_surname_key,
             (SELECT sum(n) FROM member_counts WHERE on_record) AS counted_on_record,
             (SELECT count(*) FROM members WHERE left_on IS NULL) AS on_record,
             (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'members'::regclass AND NOT tgisinternal AND tgenabled <> 'O') AS disabled_triggers`)
    ).rows[0];
    expect(counts).toMatchObject({
      regions: 80,
      members: 3000,
      periods: 3000,
      admitted: 3000,
      misplaced: 0,
      wrong_region: 0,
      wrong_surname_key: 0,
      disabled_triggers: 0,
    });
    expect(counts.counted_on_record).toBe(counts.on_record);
    expect(counts.closed_periods).toBe(counts.left_members);
    // what the load counts after it, with its triggers set aside: the member lists' counts per region, and
    // each card's live union card
    const lists = [
      'members (live union card)',
      'region_card_counts',
      'region_consent_counts',
      'region_kind_member_counts',
    ];
    const checked = await verifyDerived(db, lists);
    expect(checked.map((r) => r.name).sort()).toEqual(lists);
    expect(checked.filter((r) => r.count)).toEqual([]);
    expect(await structure()).toEqual(before);
    // the load skips the triggers that keep the statistics, and turns them on again; the tree's history is written
    const disabled = await db.raw(
      "SELECT tgrelid::regclass::text AS t, tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'D'",
    );
    expect(disabled.rows).toEqual([]);
    expect(Number((await db.raw('SELECT count(*) AS n FROM org_tree_history')).rows[0].n)).toBe(
      Number((await db.raw('SELECT count(*) AS n FROM organizations')).rows[0].n),
    );

    // the copies the load leaves to their triggers (the organizations, officers and counters it writes) are right
    const kept = await verifyDerived(db, [
      'passport_gap_counts',
      'org_passport_flags',
      'ppo_member_counts',
      'organization_employer_kinds',
    ]);
    expect(kept.map((r) => [r.name, r.count])).toEqual([
      ['org_passport_flags', 0],
      ['passport_gap_counts', 0],
      ['organization_employer_kinds', 0],
      ['ppo_member_counts', 0],
    ]);

    seed(database.url, 3000, 7);
    expect(await checksum()).toBe(first);
  }, 180_000);
});

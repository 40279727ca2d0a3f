import type { Knex } from 'knex';
import { hashPassword } from '../src/auth/password';
import { analyzeTables } from '../src/db/maintenance';
import { insertOrganization } from '../src/registry/orgs.create';

// The organizations the journeys address (the biggest region, its biggest territory, a typical ППО,
// a member) and the logins that walk them, created idempotently in the benchmark database.

export const BENCH_PASSWORD = 'benchmark-password-2026';

export interface BenchFixtures {
  union: { id: number; inpo: string; path: string };
  region: { id: number; inpo: string; path: string; members: number };
  territory: { id: number; inpo: string; path: string };
  primary: { id: number; inpo: string; path: string; members: number };
  memberId: number;
  /** what people type into the search: four letters from inside the surnames of the region's members */
  surnameFragments: string[];
  /** what a request picks at random (bench/pools.ts): ППО of the biggest region with members, and cards on record there */
  pools: { primaries: { id: number; inpo: string; path: string; primaryForm: string }[]; memberIds: number[] };
  /** an empty ППО the import journey loads 100,000 members into (and empties again) */
  importTarget: { id: number; inpo: string };
}

export async function prepareFixtures(db: Knex): Promise<BenchFixtures> {
  // what an interrupted run left in the import journey's ППО must not count in the figures below
  const leftover = await db('organizations').where({ name: IMPORT_TARGET_NAME }).first('id');
  if (leftover) await emptyOrganization(db, leftover.id);
  const union = await db('organizations').where({ level: 'union' }).first('id', 'inpo', 'path');
  const { rows: regions } = await db.raw(`
    SELECT r.id, r.inpo, r.path::text AS path, count(m.id)::int AS members
      FROM organizations r JOIN organizations o ON o.path <@ r.path JOIN members m ON m.organization_id = o.id AND m.left_on IS NULL
     WHERE r.level = 'regional' GROUP BY r.id ORDER BY members DESC LIMIT 1`);
  const region = regions[0];
  const { rows: territories } = await db.raw(
    `
    SELECT t.id, t.inpo, t.path::text AS path FROM organizations t JOIN organizations o ON o.path <@ t.path JOIN members m ON m.organization_id = o.id
     WHERE t.level = 'territorial' AND t.path <@ ?::ltree GROUP BY t.id ORDER BY count(*) DESC LIMIT 1`,
    [region.path],
  );
  // a typical ППО: the median by members among the region's schools
  const { rows: primaries } = await db.raw(
    `
    WITH sizes AS (SELECT o.id, o.inpo, o.path::text AS path, count(m.id)::int AS members FROM organizations o JOIN members m ON m.organization_id = o.id AND m.left_on IS NULL
                    WHERE o.level = 'primary' AND o.employer_kind = 'school' AND o.path <@ ?::ltree GROUP BY o.id)
    SELECT * FROM sizes ORDER BY members, id OFFSET (SELECT count(*) / 2 FROM sizes) LIMIT 1`,
    [region.path],
  );
  const primary = primaries[0];
  const member = await db('members')
    .where({ organization_id: primary.id })
    .whereNull('left_on')
    .orderBy('id')
    .first('id', 'surname');
  const importTarget = await importTargetUnder(db, territories[0].id);
  await ensureBenchUsers(db, [
    ['bench-admin', 'admin', union.id],
    ['bench-coordinator', 'coordinator', region.id],
    ['bench-chair', 'chair', primary.id],
    // the home page without a dashboard, beside the coordinator's (bench/home-journeys.ts)
    ['bench-statistician', 'statistician', region.id],
  ]);
  const pools = await poolsIn(db, region);
  return {
    pools,
    union,
    region,
    territory: territories[0],
    primary,
    memberId: Number(member.id),
    surnameFragments: await surnameFragments(db, region.id),
    importTarget,
  };
}

/**
 * The pools a page journey picks from on every request, so that a run measures the region's pages and not
 * one cached URL: 200 ППО with members and 1,000 cards on record of the biggest region, chosen by a hash of
 * the id (the same on every run over the same union).
 */
async function poolsIn(db: Knex, region: { id: number; path: string }): Promise<BenchFixtures['pools']> {
  const { rows: primaries } = await db.raw(
    `SELECT o.id, o.inpo, o.path::text AS path, o.primary_form AS "primaryForm" FROM organizations o
      WHERE o.path <@ ?::ltree AND o.level = 'primary' AND o.liquidated_on IS NULL
        AND EXISTS (SELECT 1 FROM members m WHERE m.organization_id = o.id AND m.left_on IS NULL)
      ORDER BY hashint4(o.id) LIMIT 200`,
    [region.path],
  );
  const { rows: members } = await db.raw(
    `SELECT id FROM members WHERE region_id = ? AND left_on IS NULL AND merged_into_id IS NULL ORDER BY hashint8(id) LIMIT 1000`,
    [region.id],
  );
  return { primaries, memberIds: members.map((m: { id: string }) => Number(m.id)) };
}

/**
 * A pool of search fragments: every 997th card of the region gives four letters of its surname from a
 * position that varies with the id, lower-cased, with «ё» typed as «е» as people do (the search must find
 * «Семёнова» by "семенова"); the first 40 distinct ones in alphabetical order.
 */
async function surnameFragments(db: Knex, regionId: number): Promise<string[]> {
  const { rows } = await db.raw(
    `SELECT DISTINCT f FROM (SELECT replace(lower(substr(surname, 1 + (id % 3)::int, 4)), 'ё', 'е') AS f
                               FROM members WHERE region_id = ? AND id % 997 = 0 AND left_on IS NULL LIMIT 2000) x
      WHERE length(f) = 4 ORDER BY f LIMIT 40`,
    [regionId],
  );
  return rows.map((r: { f: string }) => r.f);
}

const IMPORT_TARGET_NAME = 'ППО для замеров загрузки (бенчмарк)';

/** The import journey's own ППО, created once under the biggest territory (emptied before and after each run). */
async function importTargetUnder(db: Knex, territoryId: number): Promise<{ id: number; inpo: string }> {
  const existing = await db('organizations').where({ name: IMPORT_TARGET_NAME }).first('id', 'inpo');
  const target =
    existing ??
    (await insertOrganization(db, {
      parentId: territoryId,
      level: 'primary',
      name: IMPORT_TARGET_NAME,
      employerKind: 'school',
      createdOn: '2000-01-01',
    }));
  return { id: target.id, inpo: target.inpo };
}

/** Removes the members an import run left (their history with them; the audit rows of the import stay). */
export async function emptyOrganization(db: Knex, organizationId: number): Promise<void> {
  // cards and their history go together: the database refuses a card left without its open period; the
  // mailing journey gives the region's cards (these too, when they are there) a consent
  await db.transaction(async (trx) => {
    const ids = trx('members').where({ organization_id: organizationId }).select('id');
    await trx('member_consents').whereIn('member_id', ids).del();
    await trx('union_cards').whereIn('member_id', ids).del();
    await trx('membership_events').whereIn('member_id', ids).del();
    await trx('member_periods').whereIn('member_id', ids).del();
    await trx('members').where({ organization_id: organizationId }).del();
  });
  // 100,000 cards with their periods and events gone: below autovacuum's threshold at full scale, yet the
  // planning time of a region's list tripled until the next ANALYZE (issue 15, item 6)
  await analyzeTables(db, ['members', 'member_periods', 'membership_events', 'member_counts', 'member_consents']);
}

/** The benchmark's logins (username, role, organization id), made or given the benchmark password again, with no failed attempts. */
export async function ensureBenchUsers(db: Knex, users: readonly (readonly [string, string, number])[]): Promise<void> {
  const hash = await hashPassword(BENCH_PASSWORD, 10);
  for (const [username, role, orgId] of users) {
    const [user] = await db('users')
      .insert({ username, password_hash: hash, full_name: `Benchmark ${role}`, must_change_password: false })
      .onConflict('username')
      .merge(['password_hash'])
      .returning('id');
    await db('role_grants').insert({ user_id: user.id, role, organization_id: orgId }).onConflict().ignore();
  }
  await db('login_failures').del();
}

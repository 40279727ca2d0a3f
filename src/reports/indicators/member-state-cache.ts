import type { Knex } from 'knex';
import { analyzeTables } from '../../db/maintenance';
import { MEMBER_STATE_LOCK } from '../../db/shared-constants';
import { lockBriefly, nextBuildId, lockBuildWriters } from './build-beside';
import { periodOn, sqlDate } from './sql-fragments';

// The maintained statistics behind union-wide reports (migration create-member-state-cache): members
// on record per organization, the ППО of their periods and attribute on a date. Before a whole-union
// query reads them, the organizations missing for the date (never built, or forgotten after a change to
// their periods) are computed again — beside the changes, which never wait for the build longer than a
// moment (build-beside.ts, migration build-statistics-beside).

/**
 * What the cache counts members by, for period `c` on date `d` (a date literal or a column): its columns
 * after (as_of, organization_id), in order. The builder and the verification (ops/verify-derived) share it.
 */
export const memberStateAttributes = (d: string) =>
  `c.category, c.is_pedagogical, c.on_parental_leave, c.sex, c.birth_date > (${d} - interval '35 years')`;

/** Above this many organizations to recompute, one scan of every period beats an index probe each. */
const REBUILD_ALL_ABOVE = 5_000;

/**
 * Builds the organizations missing for each date. An organization whose periods change during the build
 * stays missing (its rows are written, not trusted).
 */
export async function ensureMemberStateCache(db: Knex, dates: string[]): Promise<void> {
  // two new dates (a report's date and its period's start) are two passes over the periods: side by side,
  // on connections of their own (one after the other in a caller's transaction: one connection)
  if ((db as Knex.Transaction).isTransaction) for (const date of new Set(dates)) await buildMemberState(db, date);
  else await Promise.all([...new Set(dates)].map((date) => buildMemberState(db, date)));
}

async function buildMemberState(db: Knex, date: string): Promise<void> {
  const d = sqlDate(date);
  const build = await nextBuildId(db);
  try {
    // 1. claim the missing organizations; the moment of exclusive lock lets the changes that could not see
    // the claims commit before the build reads
    const claimed: number[] = await db.transaction(async (trx) => {
      const { rows } = await trx.raw(
        `INSERT INTO member_state_claims (build, as_of, organization_id)
         SELECT ?, ${d}, o.id FROM organizations o WHERE NOT EXISTS (SELECT 1 FROM member_state_cached_orgs x WHERE x.as_of = ${d} AND x.organization_id = o.id)
         RETURNING organization_id`,
        [build],
      );
      if (rows.length) await lockBriefly(trx, MEMBER_STATE_LOCK);
      return rows.map((r: { organization_id: number }) => r.organization_id);
    });
    if (!claimed.length) return;
    const all = claimed.length > REBUILD_ALL_ABOVE;
    // 2. the rows written with no lock held (untrusted until marked): many organizations in parts on connections
    // of their own, each part its own transaction (issue 15: one pass hash-aggregated 3.57 M periods on one
    // core, the longest step of a new date's union report); few in the transaction that marks them
    const inParts = claimed.length > splitAbove && !(db as Knex.Transaction).isTransaction;
    const written = inParts
      ? Promise.all(
          partsOf(claimed).map((orgs, part) =>
            db.transaction(async (trx) => {
              await lockBuildWriters(trx, partKey(date, part));
              await writeRows(trx, date, orgs, all);
            }),
          ),
        )
      : undefined;
    // (a part failing while the marks are written fails the build when awaited below, not the process)
    written?.catch(() => undefined);
    // 3. the organizations still claimed marked fresh, committed after the rows: the marks of many organizations
    // are written while the parts are (150,000 marks: 11 buffers each, 2.8 s at load 10, no longer one after the other)
    await db.transaction(async (trx) => {
      if (!inParts) {
        for (let part = 0; part < MEMBER_STATE_PARTS; part++) await lockBuildWriters(trx, partKey(date, part));
        await writeRows(trx, date, claimed, all);
      }
      await markStillClaimed(trx, build, date, claimed, written);
    });
    // the planner must know the cache holds hundreds of thousands of rows, not none
    if (all) await analyzeTables(db, ['member_state_cache', 'member_state_cached_orgs']);
  } finally {
    // a failed build's claims only make changes forget more; a database that failed the build may fail this too
    await db('member_state_claims')
      .where({ build })
      .delete()
      .catch(() => undefined);
  }
}

/**
 * The parts a build of many organizations writes side by side, one per core of the database server: by
 * organization id, a rule every build shares, so two builds of a date (two app instances) writing the same
 * part take turns (lockBuildWriters) and never both insert an organization's rows.
 */
const MEMBER_STATE_PARTS = 2;
/** Above this many organizations to build, the rows are written in parts (tests lower it to build their few in parts). */
const SPLIT_ABOVE = REBUILD_ALL_ABOVE;
let splitAbove = SPLIT_ABOVE;

/** Tests make small builds write in parts (and restore the threshold with no argument). */
export function splitMemberStateBuildsAbove(organizations: number = SPLIT_ABOVE): void {
  splitAbove = organizations;
}

const partsOf = (orgs: number[]): number[][] =>
  Array.from({ length: MEMBER_STATE_PARTS }, (_, part) => orgs.filter((id) => id % MEMBER_STATE_PARTS === part));

const partKey = (date: string, part: number) => `member-state:${date}:${part}`;

/** Replaces the member state of `orgs` on the date (rows nobody trusts until the organizations are marked). */
async function writeRows(trx: Knex.Transaction, date: string, orgs: number[], many: boolean): Promise<void> {
  const d = sqlDate(date);
  // the delete of many organizations: a semi-join (a new date has no rows to find); few: an index probe each
  const only = many ? 'IN (SELECT unnest(?::int[]))' : '= ANY(?::int[])';
  await trx.raw("SET LOCAL work_mem = '256MB'");
  await trx.raw(`DELETE FROM member_state_cache WHERE as_of = ${d} AND organization_id ${only}`, [orgs]);
  // `= ANY` of the claimed array, whose size the planner sees: many organizations are one scan of the
  // periods filtered through a hash of the array, few an index probe each (issue 15: `IN (SELECT unnest(…))`,
  // estimated at 200 rows, probed the index 150,000 times — 1.5 M buffers, 3.7 s instead of 2.0 s quiet).
  // The rows go in in organization order, so the index on (as_of, organization_id) takes them page after page
  // instead of at random: writing the rows was 40–50 % of a part's time, most of it in that index (issue 15,
  // a new date at 4 M members, one part's statement: backend CPU 2.6–2.9 s → 1.8–2.2 s, the groups hashed,
  // then sorted — the planner knows how many there are from the statistic of migration count-member-state-groups)
  await trx.raw(
    `INSERT INTO member_state_cache (as_of, organization_id, ppo_id, category, is_pedagogical, on_parental_leave, sex, youth, n)
     SELECT ${d}, c.organization_id, c.ppo_id, ${memberStateAttributes(d)}, count(*)
       FROM member_periods c WHERE ${periodOn('c', d)} AND c.organization_id = ANY(?::int[])
      GROUP BY 2, 3, 4, 5, 6, 7, 8
      ORDER BY 2`,
    [orgs],
  );
}

/**
 * Marks fresh the claimed organizations whose claims no change has forgotten, once the rows `written` on other
 * connections are committed: marked before the lock
 * (uncommitted, so trusted by no one yet: 150,000 organizations of a new date take longer than a change may
 * wait), then unmarked where a change forgot the claim meanwhile: first with no lock held, then, under it,
 * again only if a change forgot another claim since — the changes wait for a count, not for the comparison
 * (issue 15: an index probe per organization under the lock made them wait for minutes).
 */
async function markStillClaimed(
  trx: Knex.Transaction,
  build: number,
  date: string,
  claimed: number[],
  written?: Promise<unknown>,
): Promise<void> {
  const d = sqlDate(date);
  await trx.raw(
    `INSERT INTO member_state_cached_orgs (as_of, organization_id) SELECT ${d}, id FROM unnest(?::int[]) id ON CONFLICT DO NOTHING`,
    [claimed],
  );
  // the rows written elsewhere are committed before the marks can be
  await written;
  const stillClaimed = async () => {
    const { rows } = await trx.raw('SELECT count(*) AS n FROM member_state_claims WHERE build = ? AND as_of = ?', [
      build,
      date,
    ]);
    return Number(rows[0].n);
  };
  // the forgotten claims found first (a hashed difference, no join to plan: with 150,000 uncommitted marks
  // estimated as none, a join of the two ran for minutes), then their marks removed by key
  const unmarkForgotten = async () => {
    const { rows } = await trx.raw(
      `SELECT coalesce(array_agg(id), '{}') AS ids FROM (
         SELECT id FROM unnest(?::int[]) id EXCEPT SELECT organization_id FROM member_state_claims WHERE build = ? AND as_of = ${d}) forgotten`,
      [claimed, build],
    );
    await trx.raw(`DELETE FROM member_state_cached_orgs WHERE as_of = ${d} AND organization_id = ANY(?::int[])`, [
      rows[0].ids,
    ]);
  };
  // (counted before the comparison: a claim forgotten after the count is unmarked by the one or the other)
  const kept = await stillClaimed();
  if (kept < claimed.length) await unmarkForgotten();
  await lockBriefly(trx, MEMBER_STATE_LOCK);
  if ((await stillClaimed()) < kept) await unmarkForgotten();
}

/**
 * Members on record on the date in a subtree, summed from the member state when every organization of the
 * subtree is fresh for the date (one statement, one snapshot); null when any is not — nothing is computed.
 */
export async function cachedMembersOn(db: Knex, root: { path: string }, date: string): Promise<number | null> {
  const d = sqlDate(date);
  const { rows } = await db.raw(
    `SELECT NOT EXISTS (SELECT 1 FROM organizations o WHERE o.path <@ ?::ltree
                          AND NOT EXISTS (SELECT 1 FROM member_state_cached_orgs x WHERE x.as_of = ${d} AND x.organization_id = o.id)) AS built,
            (SELECT coalesce(sum(c.n), 0) FROM member_state_cache c JOIN organizations o ON o.id = c.organization_id
              WHERE c.as_of = ${d} AND o.path <@ ?::ltree) AS total`,
    [root.path, root.path],
  );
  return rows[0].built ? Number(rows[0].total) : null;
}

import type { Knex } from 'knex';
import { MEMBER_STATE_LOCK } from '../../db/shared-constants';
import { periodOn, sqlDate } from './sql-fragments';

// The maintained statistics behind union-wide reports (migration create-member-state-cache): members
// on record per organization, the ППО of their periods and attribute on a date. Before a whole-union
// query reads them, the organizations missing for the date (never built, or forgotten after a change to
// their periods) are computed again, under the exclusive lock that changes to the periods wait for.

/**
 * What the cache counts members by, for period `c` on date `d` (a date literal or a column): its columns
 * after (as_of, organization_id), in order. The builder and the verification (ops/verify-derived) share it.
 */
export const memberStateAttributes = (d: string) => `c.category, c.is_pedagogical, c.on_parental_leave, c.sex, c.birth_date > (${d} - interval '35 years')`;

/** Above this many organizations to recompute, one scan of every period beats an index probe each. */
const REBUILD_ALL_ABOVE = 5_000;

export async function ensureMemberStateCache(db: Knex, dates: string[]): Promise<void> {
  for (const date of new Set(dates)) {
    await db.transaction(async (trx) => {
      await trx.raw("SET LOCAL work_mem = '256MB'");
      await trx.raw('SELECT pg_advisory_xact_lock(?)', [MEMBER_STATE_LOCK]);
      const d = sqlDate(date);
      const { rows: counts } = await trx.raw(`SELECT (SELECT count(*) FROM organizations) - (SELECT count(*) FROM member_state_cached_orgs WHERE as_of = ${d}) AS missing`);
      if (Number(counts[0].missing) === 0) return;
      const { rows } = await trx.raw(
        `SELECT coalesce(array_agg(o.id), '{}') AS ids FROM organizations o
          WHERE NOT EXISTS (SELECT 1 FROM member_state_cached_orgs x WHERE x.as_of = ${d} AND x.organization_id = o.id)`,
      );
      const missing: number[] = rows[0].ids;
      if (!missing.length) return;
      const all = missing.length > REBUILD_ALL_ABOVE;
      const only = all ? '' : 'AND organization_id = ANY(?::int[])';
      const bind = all ? [] : [missing];
      await trx.raw(`DELETE FROM member_state_cache WHERE as_of = ${d} ${only}`, bind);
      await trx.raw(
        `INSERT INTO member_state_cache (as_of, organization_id, ppo_id, category, is_pedagogical, on_parental_leave, sex, youth, n)
         SELECT ${d}, c.organization_id, c.ppo_id, ${memberStateAttributes(d)}, count(*)
           FROM member_periods c WHERE ${periodOn('c', d)} ${only}
          GROUP BY 2, 3, 4, 5, 6, 7, 8`,
        bind,
      );
      if (all) await trx.raw(`DELETE FROM member_state_cached_orgs WHERE as_of = ${d}`);
      await trx.raw(`INSERT INTO member_state_cached_orgs (as_of, organization_id) SELECT ${d}, id FROM organizations ${all ? '' : 'WHERE id = ANY(?::int[])'}`, bind);
      // the planner must know the cache holds hundreds of thousands of rows, not none
      if (all) await trx.raw('ANALYZE member_state_cache, member_state_cached_orgs');
    });
  }
}

// Issue 15, item 1: a period whose end alone changes (from X to Y) forgot every date from the earlier of the two
// on, for the reports of every period start. Yet the members on record on a date d change only when X <= d < Y
// (or Y <= d < X), and a report of d since s counts that end, or the admission it makes of the member's next
// period, only when it falls in (s, d]: a report is altered only when d >= least(X, Y) and s < greatest(X, Y).
// So a correction of an end long past no longer forgets the reports of this year (at 4 M members, the first
// union report of a new date found a fifth of its blocks forgotten by such changes during its build, and
// computed them live); and a period saved unchanged forgets nothing. An open end (NULL) is infinity.
import type { Knex } from 'knex';
import { MEMBER_STATE_LOCK } from '../src/db/shared-constants';

/** What member_state_forget (migration build-statistics-beside) does on insert and delete: unchanged. */
const forgetFrom = (rows: string) => `
        WITH a AS (SELECT organization_id AS org, min(valid_from) AS since FROM ${rows} GROUP BY 1),
             f AS (DELETE FROM member_state_cached_orgs x USING a WHERE x.organization_id = a.org AND x.as_of >= a.since)
        DELETE FROM member_state_claims x USING a WHERE x.organization_id = a.org AND x.as_of >= a.since;`;

/** Whether period n differs from o in its end alone (or not at all): what the triggers below narrow. */
const END_ONLY = `(o.member_id, o.organization_id, o.category, o.is_pedagogical, o.on_parental_leave, o.sex, o.birth_date, o.valid_from)
                  IS NOT DISTINCT FROM (n.member_id, n.organization_id, n.category, n.is_pedagogical, n.on_parental_leave, n.sex, n.birth_date, n.valid_from)`;
const earlierEnd = "least(coalesce(o.valid_to, 'infinity'), coalesce(n.valid_to, 'infinity'))";
const laterEnd = "greatest(coalesce(o.valid_to, 'infinity'), coalesce(n.valid_to, 'infinity'))";

export async function up(knex: Knex): Promise<void> {
  // the member state of the dates from the earlier end up to (not including) the later one
  await knex.raw(`
    CREATE OR REPLACE FUNCTION member_state_forget() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_advisory_xact_lock_shared(${MEMBER_STATE_LOCK});
      IF TG_OP = 'INSERT' THEN ${forgetFrom('new_rows')}
      ELSIF TG_OP = 'DELETE' THEN ${forgetFrom('old_rows')}
      ELSE
        WITH a AS (
          SELECT org, min(since) AS since, max(until) AS until FROM (
            SELECT unnest(ARRAY[o.organization_id, n.organization_id]) AS org,
                   CASE WHEN ${END_ONLY} THEN ${earlierEnd} ELSE least(o.valid_from, n.valid_from) END AS since,
                   CASE WHEN ${END_ONLY} THEN ${laterEnd} ELSE 'infinity'::date END AS until
              FROM old_rows o JOIN new_rows n ON n.id = o.id) changed
          GROUP BY org),
             f AS (DELETE FROM member_state_cached_orgs x USING a WHERE x.organization_id = a.org AND x.as_of >= a.since AND x.as_of < a.until)
        DELETE FROM member_state_claims x USING a WHERE x.organization_id = a.org AND x.as_of >= a.since AND x.as_of < a.until;
      END IF;
      RETURN NULL;
    END $$`);
  // the union's blocks of the reports whose period starts before the later end (`until_since`; by default all)
  await knex.raw('DROP FUNCTION union_stats_forget(int[], date)');
  await knex.raw(`
    CREATE FUNCTION union_stats_forget(stale int[], from_date date, until_since date DEFAULT 'infinity') RETURNS void LANGUAGE sql AS $$
      DELETE FROM union_stats_fresh WHERE block = ANY(stale) AND as_of >= from_date AND since < until_since;
      DELETE FROM union_stats_claims WHERE block = ANY(stale) AND as_of >= from_date AND since < until_since;
    $$`);
  await knex.raw('DROP FUNCTION union_stats_forget_members(bigint[], int[], date)');
  await knex.raw(`
    CREATE FUNCTION union_stats_forget_members(people bigint[], orgs int[], from_date date, until_since date DEFAULT 'infinity') RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      IF union_stats_kept(from_date) THEN
        PERFORM union_stats_forget(union_stats_blocks_near(orgs || ARRAY(
          SELECT DISTINCT p.organization_id FROM (SELECT DISTINCT unnest(people) AS member_id) x JOIN member_periods p ON p.member_id = x.member_id)),
          from_date, until_since);
      END IF;
    END $$`);
  await knex.raw(`
    CREATE OR REPLACE FUNCTION union_stats_forget_member_periods() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        PERFORM union_stats_forget_members(array_agg(DISTINCT n.member_id) || array_agg(DISTINCT o.member_id), array_agg(DISTINCT n.organization_id) || array_agg(DISTINCT o.organization_id),
                  min(CASE WHEN ${END_ONLY} THEN nullif(${earlierEnd}, 'infinity') ELSE least(o.valid_from, n.valid_from) END),
                  max(CASE WHEN ${END_ONLY} THEN ${laterEnd} ELSE 'infinity'::date END))
          FROM old_rows o JOIN new_rows n ON n.id = o.id;
      ELSIF TG_OP = 'INSERT' THEN
        PERFORM union_stats_forget_members(array_agg(DISTINCT member_id), array_agg(DISTINCT organization_id), min(valid_from)) FROM new_rows;
      ELSE
        PERFORM union_stats_forget_members(array_agg(DISTINCT member_id), array_agg(DISTINCT organization_id), min(valid_from)) FROM old_rows;
      END IF;
      RETURN NULL;
    END $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE OR REPLACE FUNCTION union_stats_forget_member_periods() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        PERFORM union_stats_forget_members(array_agg(DISTINCT n.member_id) || array_agg(DISTINCT o.member_id), array_agg(DISTINCT n.organization_id) || array_agg(DISTINCT o.organization_id),
                  min(CASE WHEN ${END_ONLY} THEN nullif(${earlierEnd}, 'infinity') ELSE least(o.valid_from, n.valid_from) END))
          FROM old_rows o JOIN new_rows n ON n.id = o.id;
      ELSIF TG_OP = 'INSERT' THEN
        PERFORM union_stats_forget_members(array_agg(DISTINCT member_id), array_agg(DISTINCT organization_id), min(valid_from)) FROM new_rows;
      ELSE
        PERFORM union_stats_forget_members(array_agg(DISTINCT member_id), array_agg(DISTINCT organization_id), min(valid_from)) FROM old_rows;
      END IF;
      RETURN NULL;
    END $$`);
  await knex.raw('DROP FUNCTION union_stats_forget_members(bigint[], int[], date, date)');
  await knex.raw(`
    CREATE FUNCTION union_stats_forget_members(people bigint[], orgs int[], from_date date) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      IF union_stats_kept(from_date) THEN
        PERFORM union_stats_forget(union_stats_blocks_near(orgs || ARRAY(
          SELECT DISTINCT p.organization_id FROM (SELECT DISTINCT unnest(people) AS member_id) x JOIN member_periods p ON p.member_id = x.member_id)), from_date);
      END IF;
    END $$`);
  await knex.raw('DROP FUNCTION union_stats_forget(int[], date, date)');
  await knex.raw(`
    CREATE FUNCTION union_stats_forget(stale int[], from_date date) RETURNS void LANGUAGE sql AS $$
      DELETE FROM union_stats_fresh WHERE block = ANY(stale) AND as_of >= from_date;
      DELETE FROM union_stats_claims WHERE block = ANY(stale) AND as_of >= from_date;
    $$`);
  await knex.raw(`
    CREATE OR REPLACE FUNCTION member_state_forget() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_advisory_xact_lock_shared(${MEMBER_STATE_LOCK});
      IF TG_OP = 'INSERT' THEN ${forgetFrom('new_rows')}
      ELSIF TG_OP = 'DELETE' THEN ${forgetFrom('old_rows')}
      ELSE
        WITH a AS (
          SELECT org, min(since) AS since FROM (
            SELECT unnest(ARRAY[o.organization_id, n.organization_id]) AS org,
                   CASE WHEN ${END_ONLY} THEN ${earlierEnd} ELSE least(o.valid_from, n.valid_from) END AS since
              FROM old_rows o JOIN new_rows n ON n.id = o.id) changed
          GROUP BY org),
             f AS (DELETE FROM member_state_cached_orgs x USING a WHERE x.organization_id = a.org AND x.as_of >= a.since)
        DELETE FROM member_state_claims x USING a WHERE x.organization_id = a.org AND x.as_of >= a.since;
      END IF;
      RETURN NULL;
    END $$`);
}

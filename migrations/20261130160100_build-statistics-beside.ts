// Issue 15, item 1: a build of the maintained statistics held its advisory lock exclusively from its first
// query to its commit, and every change to the periods takes that lock (shared) in its triggers: at 4 M
// members a one-row period update waited 105 s for a union build. Now a build works beside the writers:
//
// 1. it *claims* what it will build (rows here) and commits, taking the exclusive lock only for that commit
//    (so changes already past their triggers, which could not see the claims, commit before the build reads);
// 2. it computes with no lock held; a change committing meanwhile forgets the claims it touches, exactly
//    as it forgets what is fresh (the functions below delete from both);
// 3. it writes its figures, takes the exclusive lock for a moment and marks fresh only what is still
//    claimed. A block or organization a change touched during the build stays stale, never wrong.
//
// The claims are UNLOGGED: a crash leaves nothing that matters in them (they only make changes forget more).
import type { Knex } from 'knex';
import { MEMBER_STATE_LOCK, UNION_STATS_LOCK } from '../src/db/shared-constants';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE SEQUENCE statistics_build_seq');
  await knex.raw(`CREATE UNLOGGED TABLE member_state_claims (
      build bigint NOT NULL, as_of date NOT NULL, organization_id integer NOT NULL, claimed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (build, as_of, organization_id))`);
  await knex.raw('CREATE INDEX member_state_claims_org_idx ON member_state_claims (organization_id, as_of)');
  await knex.raw(`CREATE UNLOGGED TABLE union_stats_claims (
      build bigint NOT NULL, as_of date NOT NULL, since date NOT NULL, block integer NOT NULL, claimed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (build, as_of, since, block))`);
  await knex.raw('CREATE INDEX union_stats_claims_block_idx ON union_stats_claims (block, as_of)');

  // as in migration create-member-state-cache, the claims forgotten with the cached organizations
  await knex.raw(`
    CREATE OR REPLACE FUNCTION member_state_forget() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_advisory_xact_lock_shared(${MEMBER_STATE_LOCK});
      IF TG_OP = 'INSERT' THEN
        WITH a AS (SELECT organization_id AS org, min(valid_from) AS since FROM new_rows GROUP BY 1),
             f AS (DELETE FROM member_state_cached_orgs x USING a WHERE x.organization_id = a.org AND x.as_of >= a.since)
        DELETE FROM member_state_claims x USING a WHERE x.organization_id = a.org AND x.as_of >= a.since;
      ELSIF TG_OP = 'DELETE' THEN
        WITH a AS (SELECT organization_id AS org, min(valid_from) AS since FROM old_rows GROUP BY 1),
             f AS (DELETE FROM member_state_cached_orgs x USING a WHERE x.organization_id = a.org AND x.as_of >= a.since)
        DELETE FROM member_state_claims x USING a WHERE x.organization_id = a.org AND x.as_of >= a.since;
      ELSE
        -- a period that only got (or changed) its end affects the dates from that end on; any other change, from its start
        WITH a AS (
          SELECT org, min(since) AS since FROM (
            SELECT unnest(ARRAY[o.organization_id, n.organization_id]) AS org,
                   CASE WHEN (o.organization_id, o.category, o.is_pedagogical, o.on_parental_leave, o.sex, o.birth_date, o.valid_from)
                             IS NOT DISTINCT FROM (n.organization_id, n.category, n.is_pedagogical, n.on_parental_leave, n.sex, n.birth_date, n.valid_from)
                        THEN least(coalesce(o.valid_to, 'infinity'::date), coalesce(n.valid_to, 'infinity'::date))
                        ELSE least(o.valid_from, n.valid_from) END AS since
              FROM old_rows o JOIN new_rows n ON n.id = o.id) changed
          GROUP BY org),
             f AS (DELETE FROM member_state_cached_orgs x USING a WHERE x.organization_id = a.org AND x.as_of >= a.since)
        DELETE FROM member_state_claims x USING a WHERE x.organization_id = a.org AND x.as_of >= a.since;
      END IF;
      RETURN NULL;
    END $$`);
  // as in migration create-union-stats: a block being built counts as kept, and is forgotten like a fresh one
  await knex.raw(`
    CREATE OR REPLACE FUNCTION union_stats_kept(from_date date) RETURNS boolean LANGUAGE plpgsql AS $$
    BEGIN
      IF from_date IS NULL THEN RETURN false; END IF;
      PERFORM pg_advisory_xact_lock_shared(${MEMBER_STATE_LOCK});
      PERFORM pg_advisory_xact_lock_shared(${UNION_STATS_LOCK});
      RETURN EXISTS (SELECT 1 FROM union_stats_fresh WHERE as_of >= from_date) OR EXISTS (SELECT 1 FROM union_stats_claims WHERE as_of >= from_date);
    END $$`);
  await knex.raw(`
    CREATE OR REPLACE FUNCTION union_stats_forget(stale int[], from_date date) RETURNS void LANGUAGE sql AS $$
      DELETE FROM union_stats_fresh WHERE block = ANY(stale) AND as_of >= from_date;
      DELETE FROM union_stats_claims WHERE block = ANY(stale) AND as_of >= from_date;
    $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE OR REPLACE FUNCTION union_stats_forget(stale int[], from_date date) RETURNS void LANGUAGE sql AS $$
      DELETE FROM union_stats_fresh WHERE block = ANY(stale) AND as_of >= from_date
    $$`);
  await knex.raw(`
    CREATE OR REPLACE FUNCTION union_stats_kept(from_date date) RETURNS boolean LANGUAGE plpgsql AS $$
    BEGIN
      IF from_date IS NULL THEN RETURN false; END IF;
      PERFORM pg_advisory_xact_lock_shared(${MEMBER_STATE_LOCK});
      PERFORM pg_advisory_xact_lock_shared(${UNION_STATS_LOCK});
      RETURN EXISTS (SELECT 1 FROM union_stats_fresh WHERE as_of >= from_date);
    END $$`);
  await knex.raw(`
    CREATE OR REPLACE FUNCTION member_state_forget() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_advisory_xact_lock_shared(${MEMBER_STATE_LOCK});
      IF TG_OP = 'INSERT' THEN
        DELETE FROM member_state_cached_orgs x USING (SELECT organization_id, min(valid_from) AS since FROM new_rows GROUP BY 1) a
         WHERE x.organization_id = a.organization_id AND x.as_of >= a.since;
      ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM member_state_cached_orgs x USING (SELECT organization_id, min(valid_from) AS since FROM old_rows GROUP BY 1) a
         WHERE x.organization_id = a.organization_id AND x.as_of >= a.since;
      ELSE
        DELETE FROM member_state_cached_orgs x USING (
          SELECT org, min(since) AS since FROM (
            SELECT unnest(ARRAY[o.organization_id, n.organization_id]) AS org,
                   CASE WHEN (o.organization_id, o.category, o.is_pedagogical, o.on_parental_leave, o.sex, o.birth_date, o.valid_from)
                             IS NOT DISTINCT FROM (n.organization_id, n.category, n.is_pedagogical, n.on_parental_leave, n.sex, n.birth_date, n.valid_from)
                        THEN least(coalesce(o.valid_to, 'infinity'::date), coalesce(n.valid_to, 'infinity'::date))
                        ELSE least(o.valid_from, n.valid_from) END AS since
              FROM old_rows o JOIN new_rows n ON n.id = o.id) changed
          GROUP BY org) a
         WHERE x.organization_id = a.org AND x.as_of >= a.since;
      END IF;
      RETURN NULL;
    END $$`);
  await knex.raw('DROP TABLE union_stats_claims');
  await knex.raw('DROP TABLE member_state_claims');
  await knex.raw('DROP SEQUENCE statistics_build_seq');
}

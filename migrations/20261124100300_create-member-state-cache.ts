// Union-wide statistics read millions of member periods; the members on record per organization and
// attribute on a reporting date are kept here once computed (a few rows per organization), and
// forgotten organization by organization when a period that touches that date changes.
//
// `member_state_cached_orgs` says which organizations are up to date for a date. A change to the periods
// removes the organization from it for every date the change can affect; the next report recomputes
// just those organizations. Builders hold an exclusive advisory lock and changes a shared one, so a
// build never stores numbers older than a change that committed before it.
import type { Knex } from 'knex';

// The advisory lock key of src/reports/indicators/member-state-cache.ts.
const MEMBER_STATE_LOCK = 748201;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE member_state_cache (
      as_of date NOT NULL,
      organization_id integer NOT NULL,
      category text NOT NULL,
      is_pedagogical boolean NOT NULL,
      on_parental_leave boolean NOT NULL,
      sex char(1) NOT NULL,
      youth boolean NOT NULL,
      n integer NOT NULL
    )`);
  await knex.raw('CREATE INDEX member_state_cache_idx ON member_state_cache (as_of, organization_id)');
  await knex.raw('CREATE TABLE member_state_cached_orgs (as_of date NOT NULL, organization_id integer NOT NULL, PRIMARY KEY (as_of, organization_id))');
  await knex.raw('CREATE INDEX member_state_cached_orgs_org_idx ON member_state_cached_orgs (organization_id, as_of)');
  await knex.raw(`
    CREATE FUNCTION member_state_forget() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_advisory_xact_lock_shared(${MEMBER_STATE_LOCK});
      IF TG_OP = 'INSERT' THEN
        DELETE FROM member_state_cached_orgs x USING (SELECT organization_id, min(valid_from) AS since FROM new_rows GROUP BY 1) a
         WHERE x.organization_id = a.organization_id AND x.as_of >= a.since;
      ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM member_state_cached_orgs x USING (SELECT organization_id, min(valid_from) AS since FROM old_rows GROUP BY 1) a
         WHERE x.organization_id = a.organization_id AND x.as_of >= a.since;
      ELSE
        -- a period that only got (or changed) its end affects the dates from that end on; any other change, from its start
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
  await knex.raw('CREATE TRIGGER member_state_forget_inserted AFTER INSERT ON member_periods REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION member_state_forget()');
  await knex.raw('CREATE TRIGGER member_state_forget_deleted AFTER DELETE ON member_periods REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION member_state_forget()');
  await knex.raw('CREATE TRIGGER member_state_forget_updated AFTER UPDATE ON member_periods REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION member_state_forget()');
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['inserted', 'deleted', 'updated']) await knex.raw(`DROP TRIGGER member_state_forget_${t} ON member_periods`);
  await knex.raw('DROP FUNCTION member_state_forget()');
  await knex.raw('DROP TABLE member_state_cached_orgs');
  await knex.raw('DROP TABLE member_state_cache');
}

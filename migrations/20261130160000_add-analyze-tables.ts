// Issue 15, item 1: the app's `ANALYZE member_state_cache` after a whole build was silently skipped
// ("only table or database owner can analyze it": the app's role owns no table), the planner kept
// believing the freshly filled statistics empty and a new date's union report ran > 60 s. PostgreSQL 15
// has no MAINTAIN privilege, and handing the app the owner's credentials would undo what the restricted
// role is for (no DDL, an append-only audit log). So the owner lends exactly this one right: a SECURITY
// DEFINER function, owned by the migration owner, with a fixed search_path, that ANALYZEs the tables of a
// fixed list and refuses any other name — ANALYZE changes no row, so the worst a caller can do is spend
// some reads. VACUUM cannot run inside a function; autovacuum keeps that (migration tune-autovacuum).
import type { Knex } from 'knex';
import { ANALYZABLE_TABLES, APP_ROLE } from '../src/db/shared-constants';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION analyze_tables(tables text[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    DECLARE t text;
    BEGIN
      FOREACH t IN ARRAY tables LOOP
        IF NOT t = ANY(ARRAY[${ANALYZABLE_TABLES.map((n) => `'${n}'`).join(', ')}]) THEN
          RAISE EXCEPTION 'analyze_tables: the application may not analyze %', t USING ERRCODE = 'insufficient_privilege';
        END IF;
        EXECUTE format('ANALYZE public.%I', t);
      END LOOP;
    END $$`);
  await knex.raw('REVOKE ALL ON FUNCTION analyze_tables(text[]) FROM PUBLIC');
  await knex.raw(`GRANT EXECUTE ON FUNCTION analyze_tables(text[]) TO ${APP_ROLE}`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION analyze_tables(text[])');
}

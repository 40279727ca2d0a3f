// Issue 19, performance: a mailing's recipients are written by one INSERT … SELECT (100,000 rows for a big
// region), and until autovacuum's ANALYZE comes (minutes on a busy server) the planner believes the table as
// it was — empty for the first mailing —, so each claim of the next 8 letters read and sorted every pending
// recipient of the mailing (141 ms a claim: ~50 letters/s). The app analyzes the table after such an insert
// through `analyze_tables` (migration add-analyze-tables), which only takes the names of its fixed list:
// the function is replaced with the list of src/db/shared-constants.ts, mailing_recipients now in it.
import type { Knex } from 'knex';
import { ANALYZABLE_TABLES } from '../src/db/shared-constants';

const replaceWith = (tables: readonly string[]) => `
  CREATE OR REPLACE FUNCTION analyze_tables(tables text[]) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE t text;
  BEGIN
    FOREACH t IN ARRAY tables LOOP
      IF NOT t = ANY(ARRAY[${tables.map((n) => `'${n}'`).join(', ')}]) THEN
        RAISE EXCEPTION 'analyze_tables: the application may not analyze %', t USING ERRCODE = 'insufficient_privilege';
      END IF;
      EXECUTE format('ANALYZE public.%I', t);
    END LOOP;
  END $$`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(replaceWith(ANALYZABLE_TABLES));
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(replaceWith(ANALYZABLE_TABLES.filter((t) => t !== 'mailing_recipients')));
}

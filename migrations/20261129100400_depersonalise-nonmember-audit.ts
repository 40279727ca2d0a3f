// Retention covers the officers outside the union's registry too: when a non-member person is
// depersonalised, the audit rows about them (the person record, their elected posts) forget the personal
// values, through the same narrow SECURITY DEFINER door as depersonalise_audit (add-depersonalise-audit).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION depersonalise_person_audit(person_ids bigint[]) RETURNS integer
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      WITH about AS (
        SELECT 'person'::text AS entity, p.id::text AS entity_id FROM public.persons p WHERE p.id = ANY(person_ids)
        UNION
        SELECT 'org_officer', f.id::text FROM public.org_officers f WHERE f.person_id = ANY(person_ids)),
      blanked AS (
        UPDATE public.audit_log a
           SET old_values = public.audit_personal_values_blanked(a.old_values), new_values = public.audit_personal_values_blanked(a.new_values)
          FROM about
         WHERE a.entity = about.entity AND a.entity_id = about.entity_id
           AND (a.old_values IS DISTINCT FROM public.audit_personal_values_blanked(a.old_values)
                OR a.new_values IS DISTINCT FROM public.audit_personal_values_blanked(a.new_values))
        RETURNING 1)
      SELECT count(*)::integer FROM blanked
    $$`);
  await knex.raw('REVOKE ALL ON FUNCTION depersonalise_person_audit(bigint[]) FROM PUBLIC');
  await knex.raw('GRANT EXECUTE ON FUNCTION depersonalise_person_audit(bigint[]) TO reestr_app');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION depersonalise_person_audit(bigint[])');
}

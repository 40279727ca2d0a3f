// Retention (issue 11, item 4): depersonalising a card left the person's names, phone, e-mail, SNILS and
// birth date in the audit rows about them (admission, card edits, elected posts). The log stays
// append-only for the application role (no UPDATE privilege, migration create-audit-log); the one change
// the log now accepts from anyone is forgetting personal values: the trigger lets an UPDATE through only
// when every column but old_values/new_values is unchanged and those equal the old ones with the personal
// keys set to null. The application reaches it through one narrow SECURITY DEFINER function, owned by the
// migration owner, with a fixed search_path, executable by reestr_app only.
import type { Knex } from 'knex';

/** The keys of audit payloads that hold a person's values (member cards, officers); who/when/what-kind stay. */
const PERSONAL_KEYS = ['surname', 'name', 'patronymic', 'birthDate', 'phone', 'email', 'snils', 'position', 'professionalGroup', 'studyForm', 'studyYear'];

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION audit_personal_values_blanked(j jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
      SELECT CASE WHEN jsonb_typeof(j) = 'object' THEN coalesce(
               (SELECT jsonb_object_agg(key, CASE WHEN key = ANY(ARRAY[${PERSONAL_KEYS.map((k) => `'${k}'`).join(', ')}]) THEN 'null'::jsonb ELSE value END) FROM jsonb_each(j)),
               '{}'::jsonb)
             ELSE j END
    $$`);
  await knex.raw(`
    CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        IF (NEW.id, NEW.at, NEW.actor_user_id, NEW.action, NEW.entity, NEW.entity_id, NEW.organization_id, NEW.request_id, NEW.ip)
             IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.actor_user_id, OLD.action, OLD.entity, OLD.entity_id, OLD.organization_id, OLD.request_id, OLD.ip)
           AND NEW.old_values IS NOT DISTINCT FROM public.audit_personal_values_blanked(OLD.old_values)
           AND NEW.new_values IS NOT DISTINCT FROM public.audit_personal_values_blanked(OLD.new_values) THEN
          RETURN NEW;
        END IF;
      END IF;
      RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
    END $$`);
  // The rows about the people: their cards (and cards merged into them) and their elected posts; found
  // through audit_log_entity_idx (entity, entity_id). Returns how many rows lost values.
  await knex.raw(`
    CREATE FUNCTION depersonalise_audit(member_ids bigint[]) RETURNS integer
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      WITH about AS (
        SELECT 'member'::text AS entity, m.id::text AS entity_id FROM public.members m WHERE m.id = ANY(member_ids) OR m.merged_into_id = ANY(member_ids)
        UNION
        SELECT 'org_officer', f.id::text FROM public.org_officers f WHERE f.member_id = ANY(member_ids)),
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
  await knex.raw('REVOKE ALL ON FUNCTION depersonalise_audit(bigint[]) FROM PUBLIC');
  await knex.raw('GRANT EXECUTE ON FUNCTION depersonalise_audit(bigint[]) TO reestr_app');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION depersonalise_audit(bigint[])');
  await knex.raw(`
    CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
    END $$`);
  await knex.raw('DROP FUNCTION audit_personal_values_blanked(jsonb)');
}

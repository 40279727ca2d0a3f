// Append-only audit log. Two locks: the application role lacks UPDATE/DELETE/TRUNCATE, and a trigger
// refuses row changes from anyone who has not explicitly disabled it (a superuser doing maintenance).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE audit_log (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      actor_user_id integer REFERENCES users(id),
      action text NOT NULL,
      entity text NOT NULL,
      entity_id text,
      organization_id integer REFERENCES organizations(id),
      old_values jsonb,
      new_values jsonb,
      request_id text,
      ip inet
    )`);
  await knex.raw('CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, at)');
  await knex.raw('CREATE INDEX audit_log_actor_idx ON audit_log (actor_user_id, at)');
  await knex.raw('CREATE INDEX audit_log_organization_idx ON audit_log (organization_id, at)');
  await knex.raw('REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM reestr_app');
  await knex.raw(`
    CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
    END $$`);
  await knex.raw(`
    CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only()`);
  await knex.raw(`
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE audit_log');
  await knex.raw('DROP FUNCTION audit_log_is_append_only()');
}

// The application connects through the restricted role `reestr_app` (SET ROLE after connect) so that
// privileges, not only code, keep the audit log append-only. Roles are cluster-wide: create it once.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE EXTENSION IF NOT EXISTS ltree');
  await knex.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  await knex.raw(`
    DO $$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'reestr_app') THEN
        CREATE ROLE reestr_app NOLOGIN;
      END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; -- a parallel migration created it
    END $$`);
  await knex.raw('GRANT reestr_app TO CURRENT_USER');
  await knex.raw('GRANT USAGE ON SCHEMA public TO reestr_app');
  await knex.raw('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO reestr_app');
  await knex.raw('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO reestr_app');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM reestr_app');
  await knex.raw('ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM reestr_app');
  await knex.raw('REVOKE USAGE ON SCHEMA public FROM reestr_app');
  // The role and the extensions may serve other databases of the cluster: they stay.
}

// A grant may be given until a date (a substitute for a chair on leave): from the day after it is ignored.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE role_grants ADD COLUMN valid_until date');
  // the users list filters by role and organization: from the organization side the index exists, from the user's the unique key serves
  await knex.raw('CREATE INDEX role_grants_role_idx ON role_grants (role, organization_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX role_grants_role_idx');
  await knex.raw('ALTER TABLE role_grants DROP COLUMN valid_until');
}

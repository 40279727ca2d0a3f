// The union's scheme has a read-only «куратор»: sees and downloads everything in a subtree, changes nothing.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE role_grants DROP CONSTRAINT role_grants_role_check');
  await knex.raw("ALTER TABLE role_grants ADD CONSTRAINT role_grants_role_check CHECK (role IN ('admin','coordinator','curator','chair','statistician','member'))");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("DELETE FROM role_grants WHERE role = 'curator'");
  await knex.raw('ALTER TABLE role_grants DROP CONSTRAINT role_grants_role_check');
  await knex.raw("ALTER TABLE role_grants ADD CONSTRAINT role_grants_role_check CHECK (role IN ('admin','coordinator','chair','statistician','member'))");
}

// A member's own data (152-ФЗ art. 14) finds the logins of a card by its id: without an index, a scan of every login. Built concurrently: logins are in use while it builds.
import type { Knex } from 'knex';

export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX CONCURRENTLY IF NOT EXISTS users_member_idx ON users (member_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS users_member_idx');
}

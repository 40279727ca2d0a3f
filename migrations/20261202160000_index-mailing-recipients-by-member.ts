// A member's own data lists the mailings' letters to their card (the mailing, the address, how it went):
// a union-wide mailing adds up to millions of recipient rows, so a card's rows are found by an index on it.
// Built concurrently: the mailing workers write meanwhile.
import type { Knex } from 'knex';

export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS mailing_recipients_member_idx ON mailing_recipients (member_id) WHERE member_id IS NOT NULL',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS mailing_recipients_member_idx');
}

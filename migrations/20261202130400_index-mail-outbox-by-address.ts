// A member's own data lists the letters sent to their addresses (the card's and their logins' e-mails): an
// outbox of union-wide mailings grows by thousands a day, so the letters of an address are found by an
// index on it, case-insensitively as addresses compare. Built concurrently: the mail workers write meanwhile.
import type { Knex } from 'knex';

export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX CONCURRENTLY IF NOT EXISTS mail_outbox_to_address_idx ON mail_outbox (lower(to_address))');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS mail_outbox_to_address_idx');
}

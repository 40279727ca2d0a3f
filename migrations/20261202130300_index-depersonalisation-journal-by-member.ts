// A member's own data finds the depersonalisation journal's rows of a card: the journal grows by every exit past retention. Built concurrently.
import type { Knex } from 'knex';

export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX CONCURRENTLY IF NOT EXISTS depersonalisation_journal_member_idx ON depersonalisation_journal (member_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS depersonalisation_journal_member_idx');
}

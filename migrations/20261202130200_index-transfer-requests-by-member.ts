// A member's own data finds every transfer request of a card, decided ones too (the one index so far holds only the pending). Built concurrently.
import type { Knex } from 'knex';

export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX CONCURRENTLY IF NOT EXISTS transfer_requests_member_idx ON transfer_requests (member_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS transfer_requests_member_idx');
}

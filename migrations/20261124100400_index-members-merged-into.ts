// The duplicate merge points a card at its survivor (members.merged_into_id). Without an index on that
// reference, removing or re-keying one member checked all 4 M cards for pointers to it — a clean-up of
// 100,000 cards never finished. Partial: only merged cards carry the pointer.
import type { Knex } from 'knex';

export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX CONCURRENTLY IF NOT EXISTS members_merged_into_idx ON members (merged_into_id) WHERE merged_into_id IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS members_merged_into_idx');
}

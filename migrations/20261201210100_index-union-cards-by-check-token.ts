// /card/{token} finds its card by the token: one unique index probe. Built concurrently: the cards
// are in use while it builds.
import type { Knex } from 'knex';

export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS union_cards_check_token_idx ON union_cards (check_token)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS union_cards_check_token_idx');
}

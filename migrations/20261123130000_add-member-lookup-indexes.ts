// A member card reads the member's cards, consents and elected posts by member id. Without these,
// each card view scanned 2.8 M cards and 3.2 M consents at full scale (the partial indexes cover only
// live cards and active consents). Built concurrently: the tables are big and in use.
import type { Knex } from 'knex';

export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX CONCURRENTLY IF NOT EXISTS union_cards_member_idx ON union_cards (member_id)');
  await knex.raw('CREATE INDEX CONCURRENTLY IF NOT EXISTS member_consents_member_idx ON member_consents (member_id)');
  await knex.raw('CREATE INDEX CONCURRENTLY IF NOT EXISTS org_officers_member_idx ON org_officers (member_id) WHERE member_id IS NOT NULL');
  await knex.raw('CREATE INDEX CONCURRENTLY IF NOT EXISTS member_periods_member_idx ON member_periods (member_id, valid_from)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS member_periods_member_idx');
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS org_officers_member_idx');
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS member_consents_member_idx');
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS union_cards_member_idx');
}

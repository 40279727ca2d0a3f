// A surname search ("семенова" must find «Семёнова», "петрова водкина" «Петрова-Водкина») matches the
// fragment's match_key() inside match_key(surname): the region's trigram index (add-region-to-members)
// moves onto the key. Same shape — GIN on (region, trigrams) via btree_gin — so a region's search stays
// one index lookup; built concurrently.
import type { Knex } from 'knex';

export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS members_region_surname_key_trgm ON members USING gin (region_id, match_key(surname) gin_trgm_ops)',
  );
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS members_region_surname_trgm');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX CONCURRENTLY IF NOT EXISTS members_region_surname_trgm ON members USING gin (region_id, surname gin_trgm_ops)');
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS members_region_surname_key_trgm');
}

// The organization search and the move/merge picker match the typed fragment's match_key() inside
// match_key(name): "ребенка" finds «…ребёнка», «Школа №5» finds «Школа № 5». The name's trigram index
// moves onto the key (77,000 organizations: a few seconds).
import type { Knex } from 'knex';

export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS organizations_name_key_trgm ON organizations USING gin (match_key(name) gin_trgm_ops)',
  );
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS organizations_name_trgm');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX CONCURRENTLY IF NOT EXISTS organizations_name_trgm ON organizations USING gin (name gin_trgm_ops)');
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS organizations_name_key_trgm');
}

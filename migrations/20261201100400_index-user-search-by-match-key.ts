// The access administration's search by name, login or e-mail compared lower() of the text, so "семенов" did
// not find «Семёнов». It matches match_key() (create-match-key) now, like every name search; its trigram
// index follows (lower() there also took the database's locale, which match_key() does not depend on).
import type { Knex } from 'knex';

export const config = { transaction: false };

const SEARCHED = "username || ' ' || full_name || ' ' || coalesce(email, '')";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX CONCURRENTLY IF NOT EXISTS users_search_key_idx ON users USING gin (match_key(${SEARCHED}) gin_trgm_ops)`);
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS users_search_idx');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX CONCURRENTLY IF NOT EXISTS users_search_idx ON users USING gin ((lower(${SEARCHED})) gin_trgm_ops)`);
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS users_search_key_idx');
}

// An e-mail is verified when its owner follows a link sent to it (an invitation or a reset).
// Search by name, login and e-mail on the users list of an administrator: trigram indexes keep a
// substring search an index scan when the list grows to a login per ППО (77,000).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE users ADD COLUMN email_verified_at timestamptz');
  await knex.raw('ALTER TABLE users ADD CONSTRAINT users_email_length CHECK (length(email) <= 254)');
  await knex.raw("CREATE INDEX users_search_idx ON users USING gin ((lower(username || ' ' || full_name || ' ' || coalesce(email, ''))) gin_trgm_ops)");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX users_search_idx');
  await knex.raw('ALTER TABLE users DROP CONSTRAINT users_email_length');
  await knex.raw('ALTER TABLE users DROP COLUMN email_verified_at');
}

// The duplicate check of an admission, a card edit and an import, and the officer's card search, compare
// surname and name by match_key() (create-match-key): «Ёжова» and «Ежова» born the same day are one person.
// The identity index follows the comparison; the one over lower() serves nothing any more. Built
// concurrently: at 4 M cards it takes about a minute, and admissions go on meanwhile.
import type { Knex } from 'knex';

export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS members_identity_key_idx ON members (match_key(surname), match_key(name), birth_date)',
  );
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS members_identity_idx');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX CONCURRENTLY IF NOT EXISTS members_identity_idx ON members (lower(surname), lower(name), birth_date)');
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS members_identity_key_idx');
}

// An officer's sex and birth date are the person's (the member card or the non-member person), not a
// second copy on the post that could disagree with it; the typed ones served only the link to the cards.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE org_officers DROP COLUMN sex, DROP COLUMN birth_date');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("ALTER TABLE org_officers ADD COLUMN sex char(1) CHECK (sex IN ('m','f')), ADD COLUMN birth_date date");
}

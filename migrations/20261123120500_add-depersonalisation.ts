// Retention (152-ФЗ): some years after a member leaves, the card's personal fields are cleared; sex,
// birth date, dates and organizations stay so that past reports add up. One journal row per person.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE members ADD COLUMN depersonalised_at timestamptz');
  await knex.raw(`
    CREATE TABLE depersonalisation_journal (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      member_id bigint NOT NULL REFERENCES members(id),
      left_on date NOT NULL,
      retention_years smallint NOT NULL,
      done_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw('CREATE INDEX members_left_on_idx ON members (left_on) WHERE left_on IS NOT NULL AND depersonalised_at IS NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE depersonalisation_journal');
  await knex.raw('ALTER TABLE members DROP COLUMN depersonalised_at');
}

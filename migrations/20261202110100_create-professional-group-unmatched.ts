// The professional groups typed on cards before the list existed that match none of its names: kept here
// for an administrator to review (and to set on the cards by hand), not lost (20261202110200 fills it).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE professional_group_unmatched (
      member_id bigint PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
      value text NOT NULL,
      noted_at timestamptz NOT NULL DEFAULT now()
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE professional_group_unmatched');
}

// One person, one record: a duplicate card merged into another keeps its row (its id is referenced
// by audit rows) with merged_into_id set; its history moves to the surviving card.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE members ADD COLUMN merged_into_id bigint REFERENCES members(id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE members DROP COLUMN merged_into_id');
}

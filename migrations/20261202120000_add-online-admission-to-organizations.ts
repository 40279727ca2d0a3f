// Online admission (issue 18, item 1): a ППО's passport says whether people may apply to it from /join.
// Allowed unless the chair closes it on the general tab.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE organizations ADD COLUMN online_admission boolean NOT NULL DEFAULT true');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE organizations DROP COLUMN online_admission');
}

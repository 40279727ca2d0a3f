// A consolidated report looks for the ППО of its subtree whose primary form has other lines than 5-СП
// (own-forms.ts). A subtree finds them through its path; the whole union would read all 150,000
// organizations (300 ms on the scale dataset) — this partial index holds only the few that file another form.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX organizations_other_primary_form_idx ON organizations (primary_form) WHERE level = 'primary' AND primary_form <> '5-SP'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX organizations_other_primary_form_idx');
}

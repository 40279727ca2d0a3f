// Issue 15, item 2: the organization search pages by (name, id) in the Russian collation, and no index gave
// that order: with a common passport filter the union's search sorted all 150,000 organizations (spilling to
// disk) to keep 51 (an expired chair's term: 618 ms under load), and with a level (2,320 territorial ones
// among them) it walked the whole union in name order (1.1 s). With these the walk reads ~100–500 entries.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX organizations_name_idx ON organizations (name, id)');
  await knex.raw('CREATE INDEX organizations_level_name_idx ON organizations (level, name, id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX organizations_level_name_idx');
  await knex.raw('DROP INDEX organizations_name_idx');
}

// Issue 15, item 2: since the organizations are indexed by name (index-organizations-by-name), the planner can
// walk them in the search's order — a bad plan for a name fragment few organizations match: at the default
// statistics it took «универ» (80 organizations of 150,000) for 746 and, with a passport filter, walked all
// 150,000 names testing each (2.9 s). A finer histogram of the match key (the trigram index's expression)
// estimates it at ~100, and the search reads the trigram index instead (18 ms).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER INDEX organizations_name_key_trgm ALTER COLUMN 1 SET STATISTICS 1000');
  await knex.raw('ANALYZE organizations');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER INDEX organizations_name_key_trgm ALTER COLUMN 1 SET STATISTICS -1');
}

// The union's maintained statistics were built when consolidations netted transfers inside a subtree out
// (the union's lines 12/13/16 held no transfer inside the union). A consolidation now adds up its ППО
// (forms.md), so the stored blocks are dropped and rebuilt on demand with the new movement (the hourly
// housekeeping warms the current dates again). Rolling back drops them likewise: they are a cache.
import type { Knex } from 'knex';

async function dropStats(knex: Knex) {
  await knex.raw('DELETE FROM union_stats_fresh');
  await knex.raw('DELETE FROM union_stats');
}

export async function up(knex: Knex): Promise<void> {
  await dropStats(knex);
}

export async function down(knex: Knex): Promise<void> {
  await dropStats(knex);
}

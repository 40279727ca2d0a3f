// Issue 15, item 6: autovacuum's defaults wait for 20% of a table to be dead (10% changed for ANALYZE): at
// 4 M members that is 800,000 dead periods. The benchmark's import clean-up (200,000 deleted rows) stayed
// below it, and the planning time of a region's list tripled until a manual VACUUM. The big registry
// tables get thresholds in proportion to what one import or clean-up changes (2% = 80,000 of 4 M rows);
// the maintained statistics, which are rewritten a date or a block at a time, are swept sooner still.
// Bulk changes also ANALYZE at their end (src/db/maintenance.ts); VACUUM is left to autovacuum, which
// these settings wake in time.
import type { Knex } from 'knex';

/** Storage parameters per table, set with ALTER TABLE … SET and put back with RESET. */
const AUTOVACUUM_SETTINGS: Record<string, Record<string, number>> = {
  members: { autovacuum_vacuum_scale_factor: 0.02, autovacuum_analyze_scale_factor: 0.02 },
  member_periods: { autovacuum_vacuum_scale_factor: 0.02, autovacuum_analyze_scale_factor: 0.02 },
  membership_events: { autovacuum_vacuum_scale_factor: 0.02, autovacuum_analyze_scale_factor: 0.02 },
  // counters updated in place by every change of a card
  member_counts: { autovacuum_vacuum_scale_factor: 0.05, autovacuum_analyze_scale_factor: 0.05 },
  member_state_cache: { autovacuum_vacuum_scale_factor: 0.05, autovacuum_analyze_scale_factor: 0.05 },
  member_state_cached_orgs: { autovacuum_vacuum_scale_factor: 0.05, autovacuum_analyze_scale_factor: 0.05 },
  union_stats: { autovacuum_vacuum_scale_factor: 0.05, autovacuum_analyze_scale_factor: 0.05 },
  union_stats_fresh: { autovacuum_vacuum_scale_factor: 0.05, autovacuum_analyze_scale_factor: 0.05 },
};

export async function up(knex: Knex): Promise<void> {
  for (const [table, settings] of Object.entries(AUTOVACUUM_SETTINGS)) {
    await knex.raw(`ALTER TABLE ${table} SET (${Object.entries(settings).map(([k, v]) => `${k} = ${v}`).join(', ')})`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const [table, settings] of Object.entries(AUTOVACUUM_SETTINGS)) await knex.raw(`ALTER TABLE ${table} RESET (${Object.keys(settings).join(', ')})`);
}

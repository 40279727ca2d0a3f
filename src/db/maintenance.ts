import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { ANALYZABLE_TABLES } from './shared-constants';

export type AnalyzableTable = (typeof ANALYZABLE_TABLES)[number];

/**
 * Refreshes the planner's statistics of tables the app has just rewritten in bulk. The app's role owns no
 * table, so a plain ANALYZE would be skipped with a warning; the owner's function `analyze_tables`
 * (migration add-analyze-tables) runs it for the tables of a fixed list. Run it after the change has
 * committed, on a connection of its own: ANALYZE samples only committed rows.
 */
export async function analyzeTables(db: Knex, tables: readonly AnalyzableTable[]): Promise<void> {
  if (tables.length) await db.raw('SELECT analyze_tables(?::text[])', [[...new Set(tables)]]);
}

/**
 * After a bulk change that has already committed: its ANALYZE failing must not turn the change into an
 * error for its user; it is logged, and autovacuum's own ANALYZE comes later.
 */
export async function analyzeAfterBulkChange(db: Knex, tables: readonly AnalyzableTable[], logger?: Pick<Logger, 'warn'>): Promise<void> {
  try {
    await analyzeTables(db, tables);
  } catch (err) {
    logger?.warn({ err, tables }, 'analyzing the tables after a bulk change failed');
  }
}

import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { createLogger } from '../logger';
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
 * A change of at least this many rows is followed by an ANALYZE of its tables. Autovacuum analyzes a table
 * after 10% of it has changed (400,000 rows of a 4 M-member union), long after an import of 100,000 cards
 * into one organization or a clean-up of 200,000 rows has skewed the planner's picture (planning time of a
 * region's list tripled); sampling a table costs well under a second, which a change this large dwarfs.
 */
export const BULK_CHANGE_ROWS = 5_000;

let logger: Pick<Logger, 'warn'> = createLogger('info');

/** Where a failed ANALYZE after a bulk change is logged: the app's logger (set by the composition root, deps.ts). */
export function logMaintenanceTo(appLogger: Logger): void {
  logger = appLogger;
}

/**
 * After a bulk change of `rows` rows has committed, ANALYZE its tables when it is large (BULK_CHANGE_ROWS).
 * Never rejects: the change is done and must not turn into an error for its user; a failure is logged,
 * and autovacuum's own ANALYZE comes later.
 */
export async function analyzeAfterBulkChange(
  db: Knex,
  rows: number,
  tables: readonly AnalyzableTable[],
): Promise<void> {
  if (rows < BULK_CHANGE_ROWS) return;
  try {
    await analyzeTables(db, tables);
  } catch (err) {
    logger.warn({ err, tables, rows }, 'analyzing the tables after a bulk change failed');
  }
}

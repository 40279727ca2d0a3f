// The audit viewer's period filter: rows are appended in time order, so a BRIN index on `at` (a few pages for
// millions of rows) finds a period's block range without walking the log back from its newest row by id.
import type { Knex } from 'knex';

export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX CONCURRENTLY IF NOT EXISTS audit_log_at_brin ON audit_log USING brin (at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS audit_log_at_brin');
}

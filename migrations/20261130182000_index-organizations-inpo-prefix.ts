// The organization search matches an ИНПО by its first digits (a chair reads them off a letterhead): a LIKE
// 'prefix%' needs an index in byte order, which the unique index on inpo (in the column's collation) is not.
// At 77,000 organizations this keeps the prefix search an index range scan instead of a full read.
import type { Knex } from 'knex';

export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX CONCURRENTLY IF NOT EXISTS organizations_inpo_prefix ON organizations (inpo text_pattern_ops)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS organizations_inpo_prefix');
}

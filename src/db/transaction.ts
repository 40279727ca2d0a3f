import type { Knex } from 'knex';
import { withPgErrors } from './pg-errors';

/**
 * Reuses the caller's transaction, or opens one: services compose without nesting commits. The
 * database's refusals of a race (unique, exclusion, deadlock, …) leave as the app's field errors and
 * conflicts, including those raised at commit by deferred constraints.
 */
export async function inTransaction<T>(
  db: Knex | Knex.Transaction,
  work: (trx: Knex.Transaction) => Promise<T>,
): Promise<T> {
  if ((db as Knex.Transaction).isTransaction) return withPgErrors(() => work(db as Knex.Transaction));
  return withPgErrors(() => db.transaction(work));
}

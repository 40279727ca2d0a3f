import type { Knex } from 'knex';

/** Reuses the caller's transaction, or opens one: services compose without nesting commits. */
export async function inTransaction<T>(db: Knex | Knex.Transaction, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  if ((db as Knex.Transaction).isTransaction) return work(db as Knex.Transaction);
  return db.transaction(work);
}

import type { Knex } from 'knex';

/**
 * Two transactions of one kind of change committed side by side: the first writes and stays open, the second
 * starts writing (and waits for a lock the first holds, when the change takes one), the first commits, then
 * the second. Both are rolled back if anything fails.
 */
export async function commitSideBySide(
  db: Knex,
  first: (trx: Knex.Transaction) => Promise<unknown>,
  second: (trx: Knex.Transaction) => Promise<unknown>,
) {
  const one = await db.transaction();
  const two = await db.transaction();
  try {
    await first(one);
    const waiting = second(two);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await one.commit();
    await waiting;
    await two.commit();
  } finally {
    if (!one.isCompleted()) await one.rollback();
    if (!two.isCompleted()) await two.rollback();
  }
}

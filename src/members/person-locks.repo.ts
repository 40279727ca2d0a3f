import type { Knex } from 'knex';

/** Transaction-scoped advisory locks on text keys, taken in one order (sorted, once each) so two callers never deadlock. */
export async function lockKeys(trx: Knex.Transaction, keys: string[], shared: boolean): Promise<void> {
  await trx.raw(
    `SELECT count(${shared ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock'}(hashtextextended(k, 0)))
       FROM (SELECT DISTINCT k FROM unnest(?::text[]) AS k ORDER BY k) keys`,
    [keys],
  );
}

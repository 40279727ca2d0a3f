import type { Knex } from 'knex';

/** Serializes the card checks from one address until the transaction ends. */
export async function lockCheckAddress(trx: Knex.Transaction, ip: string): Promise<void> {
  await trx.raw("SELECT pg_advisory_xact_lock(hashtextextended('card-check:' || ?::inet::text, 0))", [ip]);
}

/** The address's checks within the window, and when the oldest of them was made. */
export async function countChecks(
  db: Knex,
  ip: string,
  windowSeconds: number,
): Promise<{ count: number; oldest: Date | null }> {
  const { rows } = await db.raw<{ rows: { count: number; oldest: Date | null }[] }>(
    `SELECT count(*)::int AS count, min(requested_at) AS oldest FROM card_check_requests
      WHERE ip = ? AND requested_at > now() - make_interval(secs => ?)`,
    [ip, windowSeconds],
  );
  return rows[0]!;
}

export async function insertCheck(db: Knex, ip: string): Promise<void> {
  await db('card_check_requests').insert({ ip });
}

export async function deleteChecksOlderThan(db: Knex, seconds: number): Promise<number> {
  return db('card_check_requests').whereRaw('requested_at < now() - make_interval(secs => ?)', [seconds]).delete();
}

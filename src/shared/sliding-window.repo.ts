import type { Knex } from 'knex';

/** Serializes the counted requests of one bucket and key until the transaction ends. */
export async function lockWindowKey(trx: Knex.Transaction, bucket: string, key: string): Promise<void> {
  await trx.raw("SELECT pg_advisory_xact_lock(hashtextextended('rate-limit:' || ? || ':' || ?, 0))", [bucket, key]);
}

/** The key's hits within the window, and when the oldest of them was counted. */
export async function countHits(
  db: Knex,
  bucket: string,
  key: string,
  windowSeconds: number,
): Promise<{ count: number; oldest: Date | null }> {
  const { rows } = await db.raw<{ rows: { count: number; oldest: Date | null }[] }>(
    `SELECT count(*)::int AS count, min(hit_at) AS oldest FROM rate_limit_hits
      WHERE bucket = ? AND key = ? AND hit_at > now() - make_interval(secs => ?)`,
    [bucket, key, windowSeconds],
  );
  return rows[0]!;
}

export async function insertHit(db: Knex, bucket: string, key: string): Promise<void> {
  await db('rate_limit_hits').insert({ bucket, key });
}

/** Rows of a bucket older than its window. */
export async function deleteHitsOlderThan(db: Knex, bucket: string, seconds: number): Promise<number> {
  return db('rate_limit_hits')
    .where({ bucket })
    .whereRaw('hit_at < now() - make_interval(secs => ?)', [seconds])
    .delete();
}

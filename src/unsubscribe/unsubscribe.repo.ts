import type { Knex } from 'knex';

/** What the unsubscribe page shows: the member's organization and whether mailings by e-mail are still on. */
export async function findUnsubscribeSubject(
  db: Knex,
  memberId: number,
): Promise<{ organizationName: string; subscribed: boolean } | undefined> {
  const { rows } = await db.raw<{ rows: { organizationName: string; subscribed: boolean }[] }>(
    `SELECT o.name AS "organizationName",
            EXISTS (SELECT 1 FROM member_consents c WHERE c.member_id = m.id AND c.kind = 'mailing'
                      AND c.channel = 'email' AND c.withdrawn_on IS NULL) AS subscribed
       FROM members m JOIN organizations o ON o.id = m.organization_id
      WHERE m.id = ?`,
    [memberId],
  );
  return rows[0];
}

/**
 * The card a link's member lives on now: a card merged into another (a duplicate of the same person) hands
 * its consents to the survivor, so the link follows `merged_into_id` to the end of the chain.
 */
export async function survivingCardOf(db: Knex, memberId: number): Promise<number> {
  const { rows } = await db.raw<{ rows: { id: number }[] }>(
    `WITH RECURSIVE chain AS (
       SELECT id, merged_into_id, 0 AS depth FROM members WHERE id = ?
       UNION ALL
       SELECT m.id, m.merged_into_id, c.depth + 1 FROM members m JOIN chain c ON m.id = c.merged_into_id
        WHERE c.depth < 20)
     SELECT id FROM chain WHERE merged_into_id IS NULL LIMIT 1`,
    [memberId],
  );
  return rows[0] ? Number(rows[0].id) : memberId;
}

/** Unknown tokens asked for from the address within the window. */
export async function countMisses(db: Knex, ip: string, windowSeconds: number): Promise<number> {
  const { rows } = await db.raw<{ rows: { count: number }[] }>(
    'SELECT count(*)::int AS count FROM unsubscribe_misses WHERE ip = ? AND missed_at > now() - make_interval(secs => ?)',
    [ip, windowSeconds],
  );
  return rows[0]!.count;
}

export async function insertMiss(db: Knex, ip: string): Promise<void> {
  await db('unsubscribe_misses').insert({ ip });
}

export async function deleteMissesOlderThan(db: Knex, seconds: number): Promise<number> {
  return db('unsubscribe_misses').whereRaw('missed_at < now() - make_interval(secs => ?)', [seconds]).delete();
}

import type { Knex } from 'knex';

export interface StoredSession {
  sid: string;
  client: { userAgent?: string; ip?: string | null; startedAt?: number } | null;
  lastSeenAt: Date;
}

/**
 * The user's live sessions. The store writes `expire` (a timestamp without zone) in its own connection's
 * default zone, which `reset_val` names; the last request was one idle timeout before it (the store moves it
 * on at most once a minute).
 */
export async function listSessionsOfUser(db: Knex, userId: number, idleSeconds: number): Promise<StoredSession[]> {
  const { rows } = await db.raw<{ rows: StoredSession[] }>(
    `SELECT sid, sess -> 'client' AS client,
            timezone((SELECT reset_val FROM pg_settings WHERE name = 'TimeZone'), expire) - make_interval(secs => :idle) AS "lastSeenAt"
       FROM sessions
      WHERE (sess -> 'passport' ->> 'user') = :user
        AND expire > timezone((SELECT reset_val FROM pg_settings WHERE name = 'TimeZone'), now())
      ORDER BY expire DESC`,
    { user: String(userId), idle: idleSeconds },
  );
  return rows;
}

export async function deleteSessionOfUser(db: Knex, userId: number, sid: string): Promise<number> {
  return db('sessions')
    .where({ sid })
    .whereRaw("(sess -> 'passport' ->> 'user') = ?", [String(userId)])
    .delete();
}

import type { Knex } from 'knex';

// A reset letter per login at most every few minutes, and a bounded number from one address: the
// form must not become a way to flood someone's mailbox or to send the registry's letters in bulk.
export const PER_LOGIN_LIMIT = 3;
export const PER_LOGIN_WINDOW_SECONDS = 3600;
export const PER_IP_LIMIT = 20;
export const PER_IP_WINDOW_SECONDS = 3600;

/**
 * Counts a reset request and tells whether it may send a letter. Under the same per-address lock as the
 * login throttle, so parallel requests cannot all read "under the limit". Every request is counted,
 * known login or not: the count must not tell which logins exist.
 */
export async function reserveResetRequest(
  db: Knex,
  username: string,
  ip: string,
): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
  return db.transaction(async (trx) => {
    await trx.raw("SELECT pg_advisory_xact_lock(hashtextextended('reset-throttle:' || ?::inet::text, 0))", [ip]);
    const { rows } = await trx.raw<{ rows: { login_count: number; ip_count: number }[] }>(
      `SELECT (SELECT count(*)::int FROM reset_requests WHERE username = :username AND requested_at > now() - make_interval(secs => :loginWindow)) AS login_count,
              (SELECT count(*)::int FROM reset_requests WHERE ip = :ip AND requested_at > now() - make_interval(secs => :ipWindow)) AS ip_count`,
      { username, ip, loginWindow: PER_LOGIN_WINDOW_SECONDS, ipWindow: PER_IP_WINDOW_SECONDS },
    );
    const { login_count, ip_count } = rows[0]!;
    if (ip_count >= PER_IP_LIMIT) return { allowed: false, retryAfterSeconds: PER_IP_WINDOW_SECONDS };
    await trx('reset_requests').insert({ username, ip });
    return { allowed: login_count < PER_LOGIN_LIMIT, retryAfterSeconds: 0 };
  });
}

/** Old rows serve no limit. */
export async function pruneResetRequests(db: Knex): Promise<number> {
  return db('reset_requests')
    .whereRaw('requested_at < now() - make_interval(secs => ?)', [
      Math.max(PER_LOGIN_WINDOW_SECONDS, PER_IP_WINDOW_SECONDS),
    ])
    .delete();
}

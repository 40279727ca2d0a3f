import type { Knex } from 'knex';

/** Serializes the reset requests from one address until the transaction ends. */
export async function lockResetAddress(trx: Knex.Transaction, ip: string): Promise<void> {
  await trx.raw("SELECT pg_advisory_xact_lock(hashtextextended('reset-throttle:' || ?::inet::text, 0))", [ip]);
}

/** The requests for this login and from this address within their windows. */
export async function countResetRequests(
  db: Knex,
  username: string,
  ip: string,
  windows: { loginSeconds: number; ipSeconds: number },
): Promise<{ loginCount: number; ipCount: number }> {
  const { rows } = await db.raw<{ rows: { loginCount: number; ipCount: number }[] }>(
    `SELECT (SELECT count(*)::int FROM reset_requests WHERE username = :username AND requested_at > now() - make_interval(secs => :loginWindow)) AS "loginCount",
            (SELECT count(*)::int FROM reset_requests WHERE ip = :ip AND requested_at > now() - make_interval(secs => :ipWindow)) AS "ipCount"`,
    { username, ip, loginWindow: windows.loginSeconds, ipWindow: windows.ipSeconds },
  );
  return rows[0]!;
}

export async function insertResetRequest(db: Knex, username: string, ip: string): Promise<void> {
  await db('reset_requests').insert({ username, ip });
}

export async function deleteResetRequestsOlderThan(db: Knex, seconds: number): Promise<number> {
  return db('reset_requests').whereRaw('requested_at < now() - make_interval(secs => ?)', [seconds]).delete();
}

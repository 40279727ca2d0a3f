import type { Knex } from 'knex';

/** Serializes the attempts from one address until the transaction ends. */
export async function lockAddress(trx: Knex.Transaction, ip: string): Promise<void> {
  await trx.raw("SELECT pg_advisory_xact_lock(hashtextextended('login-throttle:' || ?::inet::text, 0))", [ip]);
}

export interface FailureCounts {
  pairCount: number;
  pairLast: Date | null;
  ipCount: number;
  /** The oldest of the address's last `ipLimit` failures in its window. */
  ipOldest: Date | null;
}

/** One query answers both limits; the indexes (username, ip, failed_at) and (ip, failed_at) serve it. */
export async function countFailures(
  db: Knex,
  username: string,
  ip: string,
  windows: { pairSeconds: number; ipSeconds: number; ipLimit: number },
): Promise<FailureCounts> {
  const { rows } = await db.raw<{ rows: FailureCounts[] }>(
    `SELECT
       (SELECT count(*) FROM login_failures WHERE username = :username AND ip = :ip
          AND failed_at > now() - make_interval(secs => :pairWindow)) AS "pairCount",
       (SELECT max(failed_at) FROM login_failures WHERE username = :username AND ip = :ip
          AND failed_at > now() - make_interval(secs => :pairWindow)) AS "pairLast",
       (SELECT count(*) FROM login_failures WHERE ip = :ip
          AND failed_at > now() - make_interval(secs => :ipWindow)) AS "ipCount",
       (SELECT min(failed_at) FROM (SELECT failed_at FROM login_failures WHERE ip = :ip
          AND failed_at > now() - make_interval(secs => :ipWindow) ORDER BY failed_at DESC LIMIT :ipLimit) last_failures) AS "ipOldest"`,
    { username, ip, pairWindow: windows.pairSeconds, ipWindow: windows.ipSeconds, ipLimit: windows.ipLimit },
  );
  return rows[0]!;
}

export async function insertFailure(db: Knex, username: string, ip: string): Promise<void> {
  await db('login_failures').insert({ username, ip });
}

export async function deletePairFailures(db: Knex, username: string, ip: string): Promise<void> {
  await db('login_failures').where({ username, ip }).delete();
}

export async function deleteFailuresOlderThan(db: Knex, seconds: number): Promise<number> {
  return db('login_failures').whereRaw('failed_at < now() - make_interval(secs => ?)', [seconds]).delete();
}

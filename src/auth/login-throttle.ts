import type { Knex } from 'knex';

// The login limits: 10 failures per username+IP block that pair for an hour; 100 failures per IP per day
// block the IP. Keyed by the pair, an attacker elsewhere cannot lock a user out of their own address.
export const PAIR_LIMIT = 10;
export const PAIR_WINDOW_SECONDS = 3600;
export const IP_LIMIT = 100;
export const IP_WINDOW_SECONDS = 86400;

export interface ThrottleVerdict {
  blocked: boolean;
  retryAfterSeconds: number;
}

/**
 * Counts a password check before it is made: under a lock on the address, the limits are read and, when
 * they allow the attempt, a failure is recorded at once; a correct password then forgives it
 * (`clearPairFailures`). Checking first and recording after bcrypt let 40 simultaneous guesses all read
 * "9 failures so far" and all be tried.
 */
export async function reserveLoginAttempt(db: Knex, username: string, ip: string): Promise<ThrottleVerdict> {
  return db.transaction(async (trx) => {
    // One lock per address serves both limits (the pair's address is the address); it is held for the two
    // statements below, not for the bcrypt check.
    await trx.raw("SELECT pg_advisory_xact_lock(hashtextextended('login-throttle:' || ?::inet::text, 0))", [ip]);
    const verdict = await readVerdict(trx, username, ip);
    if (!verdict.blocked) await trx('login_failures').insert({ username, ip });
    return verdict;
  });
}

/** One query answers both limits; the indexes (username, ip, failed_at) and (ip, failed_at) serve it. */
async function readVerdict(db: Knex, username: string, ip: string): Promise<ThrottleVerdict> {
  const { rows } = await db.raw<{
    rows: { pair_count: number; pair_last: Date | null; ip_count: number; ip_oldest: Date | null }[];
  }>(
    `SELECT
       (SELECT count(*) FROM login_failures WHERE username = :username AND ip = :ip
          AND failed_at > now() - make_interval(secs => :pairWindow)) AS pair_count,
       (SELECT max(failed_at) FROM login_failures WHERE username = :username AND ip = :ip
          AND failed_at > now() - make_interval(secs => :pairWindow)) AS pair_last,
       (SELECT count(*) FROM login_failures WHERE ip = :ip
          AND failed_at > now() - make_interval(secs => :ipWindow)) AS ip_count,
       (SELECT min(failed_at) FROM (SELECT failed_at FROM login_failures WHERE ip = :ip
          AND failed_at > now() - make_interval(secs => :ipWindow) ORDER BY failed_at DESC LIMIT :ipLimit) last_failures) AS ip_oldest`,
    { username, ip, pairWindow: PAIR_WINDOW_SECONDS, ipWindow: IP_WINDOW_SECONDS, ipLimit: IP_LIMIT },
  );
  const row = rows[0]!;
  const now = Date.now();
  const waits: number[] = [];
  if (row.pair_count >= PAIR_LIMIT && row.pair_last)
    waits.push(row.pair_last.getTime() + PAIR_WINDOW_SECONDS * 1000 - now);
  if (row.ip_count >= IP_LIMIT && row.ip_oldest) waits.push(row.ip_oldest.getTime() + IP_WINDOW_SECONDS * 1000 - now);
  if (waits.length === 0) return { blocked: false, retryAfterSeconds: 0 };
  return { blocked: true, retryAfterSeconds: Math.max(1, Math.ceil(Math.max(...waits) / 1000)) };
}

/** A successful login forgives the pair's failures (not the IP's: those count other usernames too). */
export async function clearPairFailures(db: Knex, username: string, ip: string): Promise<void> {
  await db('login_failures').where({ username, ip }).delete();
}

/** Old rows serve no limit; called from the periodic housekeeping. */
export async function pruneLoginFailures(db: Knex): Promise<number> {
  return db('login_failures').whereRaw('failed_at < now() - make_interval(secs => ?)', [IP_WINDOW_SECONDS]).delete();
}

export function waitMessage(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  return `Слишком много неудачных попыток входа. Повторите через ${minutes} мин.`;
}

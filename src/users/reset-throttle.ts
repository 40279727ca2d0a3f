import type { Knex } from 'knex';
import {
  countResetRequests,
  deleteResetRequestsOlderThan,
  insertResetRequest,
  lockResetAddress,
} from './reset-throttle.repo';

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
    await lockResetAddress(trx, ip);
    const { loginCount, ipCount } = await countResetRequests(trx, username, ip, {
      loginSeconds: PER_LOGIN_WINDOW_SECONDS,
      ipSeconds: PER_IP_WINDOW_SECONDS,
    });
    if (ipCount >= PER_IP_LIMIT) return { allowed: false, retryAfterSeconds: PER_IP_WINDOW_SECONDS };
    await insertResetRequest(trx, username, ip);
    return { allowed: loginCount < PER_LOGIN_LIMIT, retryAfterSeconds: 0 };
  });
}

/** Old rows serve no limit. */
export async function pruneResetRequests(db: Knex): Promise<number> {
  return deleteResetRequestsOlderThan(db, Math.max(PER_LOGIN_WINDOW_SECONDS, PER_IP_WINDOW_SECONDS));
}

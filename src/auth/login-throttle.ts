import type { Knex } from 'knex';
import {
  countFailures,
  deleteFailuresOlderThan,
  deletePairFailures,
  insertFailure,
  lockAddress,
} from './login-throttle.repo';

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
    await lockAddress(trx, ip);
    const verdict = await readVerdict(trx, username, ip);
    if (!verdict.blocked) await insertFailure(trx, username, ip);
    return verdict;
  });
}

/** Blocked while either limit is reached, until its oldest counted failure leaves the window. */
async function readVerdict(db: Knex, username: string, ip: string): Promise<ThrottleVerdict> {
  const row = await countFailures(db, username, ip, {
    pairSeconds: PAIR_WINDOW_SECONDS,
    ipSeconds: IP_WINDOW_SECONDS,
    ipLimit: IP_LIMIT,
  });
  const now = Date.now();
  const waits: number[] = [];
  if (row.pairCount >= PAIR_LIMIT && row.pairLast)
    waits.push(row.pairLast.getTime() + PAIR_WINDOW_SECONDS * 1000 - now);
  if (row.ipCount >= IP_LIMIT && row.ipOldest) waits.push(row.ipOldest.getTime() + IP_WINDOW_SECONDS * 1000 - now);
  if (waits.length === 0) return { blocked: false, retryAfterSeconds: 0 };
  return { blocked: true, retryAfterSeconds: Math.max(1, Math.ceil(Math.max(...waits) / 1000)) };
}

/** A successful login forgives the pair's failures (not the IP's: those count other usernames too). */
export async function clearPairFailures(db: Knex, username: string, ip: string): Promise<void> {
  await deletePairFailures(db, username, ip);
}

/** Old rows serve no limit; called from the periodic housekeeping. */
export async function pruneLoginFailures(db: Knex): Promise<number> {
  return deleteFailuresOlderThan(db, IP_WINDOW_SECONDS);
}

export function waitMessage(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  return `Слишком много неудачных попыток входа. Повторите через ${minutes} мин.`;
}

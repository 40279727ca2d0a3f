import type { Knex } from 'knex';
import { TooManyRequestsError } from '../http/errors';
import { countMisses, deleteMissesOlderThan, insertMiss } from './unsubscribe.repo';

// Only misses count (migration create-unsubscribe-misses): a token is 256 random bits, so the limit keeps
// a scanner from loading the database rather than from guessing, and a mail provider relaying thousands
// of real one-click requests from one address is never refused.
export const MISS_LIMIT = 20;
export const MISS_WINDOW_SECONDS = 3600;

/** 429 while the address has used up its misses; the count is read without a lock, a few extra cost nothing. */
export async function assertNotThrottled(db: Knex, ip: string | null): Promise<void> {
  if (ip && (await countMisses(db, ip, MISS_WINDOW_SECONDS)) >= MISS_LIMIT)
    throw new TooManyRequestsError(
      'Слишком много недействительных ссылок отписки с вашего адреса. Повторите через час.',
      MISS_WINDOW_SECONDS,
    );
}

export async function countMiss(db: Knex, ip: string | null): Promise<void> {
  if (ip) await insertMiss(db, ip);
}

/** Old rows serve no limit (hourly housekeeping). */
export async function pruneUnsubscribeMisses(db: Knex): Promise<number> {
  return deleteMissesOlderThan(db, MISS_WINDOW_SECONDS);
}

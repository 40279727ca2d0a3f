import type { Knex } from 'knex';
import { TooManyRequestsError } from '../http/errors';
import { countHits, deleteHitsOlderThan, insertHit, lockWindowKey } from './sliding-window.repo';

// One sliding-window limit for public forms, in PostgreSQL (every app instance counts together): the
// pattern of the login, reset and card-check throttles, kept once for the ones that need nothing else.

export interface SlidingWindow {
  /** The limit's name: its rows are kept apart from other limits' (rate_limit_hits.bucket). */
  bucket: string;
  limit: number;
  windowSeconds: number;
  /** The refusal's Russian text, given the minutes to wait. */
  message: (minutes: number) => string;
}

/**
 * Counts a request before it is served, under a lock on the key (parallel requests cannot all read "under
 * the limit"); a refused request is not recorded, so a key holds at most `limit` rows and may try again as
 * soon as its oldest one leaves the window. Refused: 429 with Retry-After.
 */
export async function reserveHit(db: Knex, window: SlidingWindow, key: string): Promise<void> {
  const waitSeconds = await db.transaction(async (trx) => {
    await lockWindowKey(trx, window.bucket, key);
    const { count, oldest } = await countHits(trx, window.bucket, key, window.windowSeconds);
    if (count >= window.limit && oldest)
      return Math.max(1, Math.ceil((oldest.getTime() + window.windowSeconds * 1000 - Date.now()) / 1000));
    await insertHit(trx, window.bucket, key);
    return 0;
  });
  if (waitSeconds) throw new TooManyRequestsError(window.message(Math.ceil(waitSeconds / 60)), waitSeconds);
}

/** Old rows serve no limit; called from the periodic housekeeping. */
export async function pruneHits(db: Knex, windows: SlidingWindow[]): Promise<number> {
  let pruned = 0;
  for (const w of windows) pruned += await deleteHitsOlderThan(db, w.bucket, w.windowSeconds);
  return pruned;
}

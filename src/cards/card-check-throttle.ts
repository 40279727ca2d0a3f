import type { Knex } from 'knex';
import { TooManyRequestsError } from '../http/errors';
import { countChecks, deleteChecksOlderThan, insertCheck, lockCheckAddress } from './card-check-throttle.repo';

// The public card check answers anyone: a shop that gives union discounts checks a few cards an hour,
// a sweep of tokens or a flood of the registry is stopped at 60 checks per address in 10 minutes.
export const CHECK_LIMIT = 60;
export const CHECK_WINDOW_SECONDS = 600;

/**
 * Counts a check before it is made, under a lock on the address (parallel requests cannot all read "under
 * the limit"); a refused check is not recorded, so an address holds at most CHECK_LIMIT rows and may check
 * again as soon as its oldest one leaves the window. Unknown tokens count like known ones.
 */
export async function reserveCardCheck(db: Knex, ip: string): Promise<void> {
  const waitSeconds = await db.transaction(async (trx) => {
    await lockCheckAddress(trx, ip);
    const { count, oldest } = await countChecks(trx, ip, CHECK_WINDOW_SECONDS);
    if (count >= CHECK_LIMIT && oldest)
      return Math.max(1, Math.ceil((oldest.getTime() + CHECK_WINDOW_SECONDS * 1000 - Date.now()) / 1000));
    await insertCheck(trx, ip);
    return 0;
  });
  if (waitSeconds)
    throw new TooManyRequestsError(
      `Слишком много проверок карт с вашего адреса. Повторите через ${Math.ceil(waitSeconds / 60)} мин.`,
      waitSeconds,
    );
}

/** Old rows serve no limit; called from the periodic housekeeping. */
export async function pruneCardChecks(db: Knex): Promise<number> {
  return deleteChecksOlderThan(db, CHECK_WINDOW_SECONDS);
}

import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { pruneLoginFailures } from '../auth/login-throttle';

const HOUR_MS = 60 * 60 * 1000;

/** Hourly clean-up of rows that serve no rule any more (expired sessions are pruned by the session store). */
export function startHousekeeping(db: Knex, logger: Logger): { stop: () => void } {
  const run = async () => {
    try {
      const removed = await pruneLoginFailures(db);
      if (removed) logger.info({ removed }, 'pruned old login failures');
    } catch (err) {
      logger.warn({ err }, 'housekeeping failed');
    }
  };
  const timer = setInterval(() => void run(), HOUR_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

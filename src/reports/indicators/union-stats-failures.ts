import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { createLogger } from '../../logger';

// The union's statistics are built for the first report of a new date (which answers live when that build
// fails), retried in the background, and built hourly for the current reporting dates. A failed build
// is logged and kept as the job's last failure (migration create-background-failures), shown to the
// federal administrator with whether a build has succeeded since.

const JOB = 'union_stats';
/** Enough to tell one failure from another; the log has the whole error. */
const MESSAGE_MAX = 500;

let logger: Logger = createLogger('info');

/** Where background failures are logged: the app's logger (set by the composition root, deps.ts). */
export function logUnionStatsFailuresTo(appLogger: Logger): void {
  logger = appLogger;
}

export interface JobFailure {
  failedAt: Date;
  message: string;
  recoveredAt: Date | null;
}

export async function recordUnionStatsFailure(
  db: Knex,
  err: unknown,
  period: { date: string; start: string },
): Promise<void> {
  logger.error({ err, ...period }, 'building the union statistics failed');
  const message = (err instanceof Error ? err.message : String(err)).slice(0, MESSAGE_MAX);
  try {
    await db('background_failures')
      .insert({ job: JOB, failed_at: db.fn.now(), message, recovered_at: null })
      .onConflict('job')
      .merge();
  } catch (recordErr) {
    // the database that failed the build may fail this too: the log above is what remains
    logger.error({ err: recordErr }, 'recording the failure of the union statistics failed');
  }
}

/** A build that succeeds after a failure marks it recovered (a single indexed UPDATE that finds nothing when all is well). */
export async function recordUnionStatsSuccess(db: Knex): Promise<void> {
  await db('background_failures').where({ job: JOB }).whereNull('recovered_at').update({ recovered_at: db.fn.now() });
}

export async function lastUnionStatsFailure(db: Knex): Promise<JobFailure | undefined> {
  return db('background_failures')
    .where({ job: JOB })
    .first({ failedAt: 'failed_at', message: 'message', recoveredAt: 'recovered_at' });
}

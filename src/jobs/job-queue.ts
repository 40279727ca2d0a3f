import type { Knex } from 'knex';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { jobDbOf } from '../db/job-db';
import { JOB_SCHEMA, type QueueName } from '../db/job-queues';
import { listFailedJobs, type FailedJob } from './jobs.repo';

export type QueuedJob<T> = PgBoss.JobWithMetadata<T>;
/** Runs one job; a throw fails the attempt, and pg-boss retries it per the job's retry options. */
export type JobHandler<T = object> = (job: QueuedJob<T>) => Promise<void>;
export type SendOptions = Pick<
  PgBoss.SendOptions,
  'retryLimit' | 'retryDelay' | 'retryBackoff' | 'expireInSeconds' | 'startAfter' | 'singletonKey'
>;

const FAILED_KEPT_SECONDS = 7 * 24 * 60 * 60;

/** A scheduled job is not retried (the next tick runs anew) and may run for up to an hour. */
const SCHEDULED_JOB_OPTIONS = { retryLimit: 0, expireInSeconds: 3600 };

export interface JobQueueOptions {
  /** How often an idle worker asks for a job (JOB_POLL_SECONDS). */
  pollSeconds: number;
  /** How often pg-boss expires jobs whose worker died and archives finished ones (JOB_MAINTENANCE_SECONDS). */
  maintenanceSeconds: number;
  logger: Logger;
}

export interface JobQueue {
  /** The handler of a queue's jobs: registered once at composition, run by start()'s workers or runOnce. */
  handle<T extends object>(name: QueueName, handler: JobHandler<T>): void;
  /** A cron schedule (in the union's time zone) that sends one job to the queue per tick across all instances. */
  every(name: QueueName, cron: string, timeZone: string): void;
  /** Queues a job on the caller's transaction: it exists only if that commits. */
  send(trx: Knex | Knex.Transaction, name: QueueName, data: object, options?: SendOptions): Promise<string | null>;
  /** Queues many jobs of one queue in one statement on the caller's transaction (a bulk run's letters). */
  sendMany(
    trx: Knex | Knex.Transaction,
    name: QueueName,
    data: object[],
    options?: Omit<SendOptions, 'startAfter'>,
  ): Promise<void>;
  /** Starts this instance's workers, schedules and pg-boss's maintenance. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Lets this instance's worker of the queue ask for a job now instead of at its next poll. */
  wake(name: QueueName): void;
  /** Fetches and runs the queue's next job here and now (tools and tests); false when none was due. */
  runOnce(name: QueueName): Promise<boolean>;
  /** The jobs that failed their last attempt, newest first (the dead-letter view). */
  failed(limit: number): Promise<FailedJob[]>;
  /** Another attempt for a job that failed for good (the dead-letter view's button); false when it is not failed. */
  retry(name: QueueName, id: string): Promise<boolean>;
}

/**
 * One persistent queue for all background work, pg-boss over the app's own pool: jobs survive restarts,
 * SKIP LOCKED hands each job to one worker among all instances, failed attempts are retried with backoff,
 * a job whose worker died is expired by maintenance and retried, and cron schedules send one job per tick
 * however many instances run them.
 */
export function createJobQueue(db: Knex, options: JobQueueOptions): JobQueue {
  const boss = new PgBoss({
    db: jobDbOf(db),
    schema: JOB_SCHEMA,
    migrate: false, // the owner installs the schema (db/job-queues.ts): the app's role may not create tables
    supervise: true,
    schedule: true,
    pollingIntervalSeconds: options.pollSeconds,
    maintenanceIntervalSeconds: options.maintenanceSeconds,
    // failed jobs stay in the dead-letter view (/admin/mail) for a week, finished ones are archived after 12 h
    archiveFailedAfterSeconds: FAILED_KEPT_SECONDS,
  });
  boss.on('error', (err) => options.logger.warn({ err }, 'job queue error'));
  const handlers = new Map<QueueName, JobHandler<object>>();
  const schedules: { name: QueueName; cron: string; timeZone: string }[] = [];
  const workers = new Map<QueueName, string>();

  const handlerOf = (name: QueueName) => {
    const handler = handlers.get(name);
    if (!handler) throw new Error(`no handler for the queue ${name}`);
    return handler;
  };

  return {
    handle(name, handler) {
      handlers.set(name, handler as JobHandler<object>);
    },
    every(name, cron, timeZone) {
      schedules.push({ name, cron, timeZone });
    },
    send(trx, name, data, sendOptions = {}) {
      return boss.send(name, data, { ...sendOptions, db: jobDbOf(trx) });
    },
    async sendMany(trx, name, data, sendOptions = {}) {
      if (data.length)
        await boss.insert(
          data.map((d) => ({ ...sendOptions, name, data: d })),
          { db: jobDbOf(trx) },
        );
    },
    async start() {
      // recorded before the timekeeper's first look, so that look already sees them
      for (const s of schedules) await boss.schedule(s.name, s.cron, {}, { tz: s.timeZone, ...SCHEDULED_JOB_OPTIONS });
      await boss.start();
      for (const [name, handler] of handlers) {
        const id = await boss.work<object>(name, { includeMetadata: true, batchSize: 1 }, async ([job]) => {
          await handler(job!);
        });
        workers.set(name, id);
      }
    },
    async stop() {
      workers.clear();
      await boss.stop({ graceful: true, timeout: 5000, close: false });
    },
    wake(name) {
      const id = workers.get(name);
      if (id) boss.notifyWorker(id);
    },
    async runOnce(name) {
      const handler = handlerOf(name);
      const [job] = await boss.fetch<object>(name, { includeMetadata: true });
      if (!job) return false;
      try {
        await handler(job);
        await boss.complete(name, job.id);
      } catch (err) {
        await boss.fail(name, job.id, err as object);
      }
      return true;
    },
    failed: (limit) => listFailedJobs(db, limit),
    async retry(name, id) {
      const result = (await boss.retry(name, id)) as unknown as { affected: number };
      return result.affected > 0;
    },
  };
}

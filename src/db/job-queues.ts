import type { Knex } from 'knex';
import PgBoss from 'pg-boss';
import { jobDbOf } from './job-db';
import { APP_ROLE } from './shared-constants';

/** The schema pg-boss keeps its jobs, queues and schedules in, beside the registry's `public`. */
export const JOB_SCHEMA = 'pgboss';

/**
 * Every queue of the app with its policy. Each queue is a partition of pg-boss's job table, so making
 * one is DDL: the owner makes them here, and the app's role (which may not create tables) only uses them.
 * `singleton`: at most one job of the queue runs at a time, on whichever instance fetched it.
 */
export const QUEUE_POLICIES = {
  mail: 'standard',
  export: 'standard',
  notification: 'standard',
  /** A mass mailing's letters: each job sends a batch of its recipients (mailings/mailing-sender.ts). */
  mailing: 'standard',
  /** A library document's text, extracted after its upload for the full-text search (library/library-text.ts). */
  library: 'standard',
  /** A declared campaign's announcement to its tasks' organizations, in batches (campaigns/campaign-announcements.ts). */
  campaign: 'standard',
  housekeeping: 'singleton',
  /** The bounce mailbox's poll (BOUNCE_IMAP_URL): one at a time. */
  bounces: 'singleton',
} as const satisfies Record<string, PgBoss.QueuePolicy>;

export type QueueName = keyof typeof QUEUE_POLICIES;

/** pg-boss's own queue through which its cron schedules send their jobs (its timekeeper would create it). */
const SCHEDULER_QUEUE = '__pgboss__send-it';

/**
 * Installs or upgrades pg-boss's schema (pg-boss migrates itself from its recorded version), makes the
 * queues and lets the app's role use them: run by the owner after the migrations, at every start, so a
 * new queue or a new pg-boss version needs no migration of ours, and test databases cloned from the
 * migrated template carry it.
 */
export async function installJobQueues(owner: Knex): Promise<void> {
  const boss = new PgBoss({ db: jobDbOf(owner), schema: JOB_SCHEMA, migrate: true, supervise: false, schedule: false });
  await boss.start();
  try {
    for (const [name, policy] of Object.entries(QUEUE_POLICIES)) {
      await boss.createQueue(name, { name, policy });
      await boss.updateQueue(name, { name, policy });
    }
    await boss.createQueue(SCHEDULER_QUEUE, { name: SCHEDULER_QUEUE });
  } finally {
    await boss.stop({ graceful: false, close: false });
  }
  await owner.raw(`GRANT USAGE ON SCHEMA ${JOB_SCHEMA} TO ${APP_ROLE}`);
  await owner.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${JOB_SCHEMA} TO ${APP_ROLE}`);
}

import type { Knex } from 'knex';
import { JOB_SCHEMA, QUEUE_POLICIES, type QueueName } from '../db/job-queues';

export interface FailedJob {
  id: string;
  queue: QueueName;
  createdOn: Date;
  completedOn: Date;
  attempts: number;
  error: string | null;
}

/** The dead letters: jobs of the app's queues that failed their last attempt, newest first. */
export async function listFailedJobs(db: Knex, limit: number): Promise<FailedJob[]> {
  return db(`${JOB_SCHEMA}.job`)
    .where({ state: 'failed' })
    .whereIn('name', Object.keys(QUEUE_POLICIES))
    .orderBy('completed_on', 'desc')
    .limit(limit)
    .select({
      id: 'id',
      queue: 'name',
      createdOn: 'created_on',
      completedOn: 'completed_on',
      attempts: db.raw('retry_count + 1'),
      error: db.raw("left(coalesce(output->>'message', output->'value'->>'message'), 500)"),
    });
}

import type { Knex } from 'knex';
import type { MemberListFilter } from '../members/members.repo';
import { JOB_SCHEMA } from '../db/job-queues';
import { isUuid } from '../shared/uuid';

export interface ExportJob {
  id: string;
  userId: number;
  organizationId: number;
  format: 'xlsx' | 'csv';
  filter: MemberListFilter;
  status: 'queued' | 'running' | 'done' | 'failed';
  rowsTotal: number | null;
  rowsDone: number;
  fileName: string | null;
  error: string | null;
  expiresAt: Date;
}

/** A job as the worker claims it: with its attempts and the subtrees its requester could read then. */
export interface ClaimedJob extends ExportJob {
  attempts: number;
  viewerPaths: string[] | null;
}

const JOB_COLUMNS = {
  id: 'id',
  userId: 'user_id',
  organizationId: 'organization_id',
  format: 'format',
  filter: 'filter',
  status: 'status',
  rowsTotal: 'rows_total',
  rowsDone: 'rows_done',
  fileName: 'file_name',
  error: 'error',
  expiresAt: 'expires_at',
};

/** The user's requests take turns until the transaction ends, so simultaneous ones cannot all pass a limit. */
export async function lockUsersJobs(trx: Knex, userId: number) {
  await trx.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [`export-jobs:${userId}`]);
}

export async function countActiveJobs(trx: Knex, userId: number): Promise<number> {
  const [row] = await trx('export_jobs')
    .where({ user_id: userId })
    .whereIn('status', ['queued', 'running'])
    .count<{ count: number }[]>('* as count');
  return Number(row!.count);
}

export async function insertJob(
  trx: Knex,
  job: {
    userId: number;
    organizationId: number;
    format: 'xlsx' | 'csv';
    filter: MemberListFilter;
    viewerPaths: string[];
    rowsTotal: number;
  },
): Promise<string> {
  const [row] = await trx('export_jobs')
    .insert({
      user_id: job.userId,
      organization_id: job.organizationId,
      format: job.format,
      filter: JSON.stringify(job.filter),
      viewer_paths: job.viewerPaths,
      rows_total: job.rowsTotal,
    })
    .returning('id');
  return row.id as string;
}

/** The job, for its requester only, while it is kept. */
export async function findOwnJob(db: Knex, userId: number, id: string): Promise<ExportJob | undefined> {
  if (!isUuid(id)) return undefined;
  return db('export_jobs').where({ id, user_id: userId }).where('expires_at', '>', db.fn.now()).first(JOB_COLUMNS);
}

/**
 * The job its queue entry is about, marked running (a retry after a dead worker finds it running still);
 * undefined when it finished, failed for good or expired meanwhile.
 */
export async function claimJob(db: Knex, id: string): Promise<ClaimedJob | undefined> {
  const [job] = await db('export_jobs')
    .where({ id })
    .whereIn('status', ['queued', 'running'])
    .update({ status: 'running', started_at: db.fn.now(), attempts: db.raw('attempts + 1'), rows_done: 0 })
    .returning(
      Object.entries({ ...JOB_COLUMNS, attempts: 'attempts', viewerPaths: 'viewer_paths' }).map(
        ([k, c]) => `${c} as ${k}`,
      ),
    );
  return job;
}

export async function setJobProgress(db: Knex, id: string, rowsDone: number) {
  await db('export_jobs').where({ id }).update({ rows_done: rowsDone });
}

export async function completeJob(db: Knex, id: string, rows: number, fileName: string) {
  await db('export_jobs')
    .where({ id })
    .update({ status: 'done', rows_done: rows, rows_total: rows, file_name: fileName, finished_at: db.fn.now() });
}

export async function failJob(db: Knex, id: string, error: string) {
  await db('export_jobs').where({ id }).update({ status: 'failed', error, finished_at: db.fn.now() });
}

/** A failed attempt: back to the queue, or failed for good after the last attempt. */
export async function retryOrFailJob(db: Knex, id: string, giveUp: boolean, error: string) {
  await db('export_jobs')
    .where({ id })
    .update({ status: giveUp ? 'failed' : 'queued', error });
}

/**
 * Jobs marked running since before `minutes` ago whose queue entry no longer runs: their worker died, and
 * the queue will run them again (or has given up on them).
 */
export async function staleRunningJobs(db: Knex, minutes: number): Promise<{ id: string; format: string }[]> {
  return db('export_jobs as e')
    .where({ 'e.status': 'running' })
    .where('e.started_at', '<', db.raw('now() - make_interval(mins => ?)', [minutes]))
    .whereNotExists(
      db(`${JOB_SCHEMA}.job as j`)
        .where({ 'j.name': 'export', 'j.state': 'active' })
        .whereRaw("j.data->>'exportJobId' = e.id::text"),
    )
    .select('e.id', 'e.format');
}

export async function requeueJobs(db: Knex, ids: string[]) {
  await db('export_jobs').whereIn('id', ids).update({ status: 'queued' });
}

/** Of the given jobs, those marked running. */
export async function runningAmong(db: Knex, ids: string[]): Promise<Set<string>> {
  return new Set(await db('export_jobs').whereIn('id', ids).where({ status: 'running' }).pluck('id'));
}

export async function expiredJobs(db: Knex): Promise<{ id: string; format: string }[]> {
  return db('export_jobs').where('expires_at', '<', db.fn.now()).select('id', 'format');
}

export async function deleteJobs(db: Knex, ids: string[]) {
  await db('export_jobs').whereIn('id', ids).delete();
}

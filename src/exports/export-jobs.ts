import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { finished } from 'node:stream/promises';
import type { Logger } from 'pino';
import { can, memberViewPaths, stillHeldPaths } from '../access/access';
import { recordAudit } from '../audit/audit';
import { loadPrincipal } from '../auth/users.repo';
import { sinkUntilGone } from '../db/stream-rows';
import { ConflictError } from '../http/errors';
import { exportMembers } from '../members/member-export';
import type { ListReader, MemberListFilter } from '../members/members.repo';
import { PRIVATE_FILE_MODE, ensurePrivateDir } from '../shared/private-files';
import { inTransaction } from '../db/transaction';
import { isUuid } from '../shared/uuid';

export const MAX_ACTIVE_JOBS_PER_USER = 3;
const PROGRESS_EVERY = 1000;

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

const JOB_COLUMNS = {
  id: 'id', userId: 'user_id', organizationId: 'organization_id', format: 'format', filter: 'filter', status: 'status', rowsTotal: 'rows_total',
  rowsDone: 'rows_done', fileName: 'file_name', error: 'error', expiresAt: 'expires_at',
};

/** Queues an export for its requester; at most a few running or waiting per person. */
export async function enqueueExport(
  db: Knex, userId: number, organizationId: number, format: 'xlsx' | 'csv', filter: MemberListFilter, reader: ListReader, rowsTotal: number,
): Promise<string> {
  return inTransaction(db, async (trx) => {
    // one user's requests take turns, so simultaneous ones cannot all pass the limit
    await trx.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [`export-jobs:${userId}`]);
    const active = await trx('export_jobs').where({ user_id: userId }).whereIn('status', ['queued', 'running']).count<{ count: number }[]>('* as count');
    if (Number(active[0]!.count) >= MAX_ACTIVE_JOBS_PER_USER) throw new ConflictError(`У вас уже готовятся ${MAX_ACTIVE_JOBS_PER_USER} выгрузки: дождитесь их окончания`);
    const [row] = await trx('export_jobs')
      .insert({ user_id: userId, organization_id: organizationId, format, filter: JSON.stringify(filter), viewer_paths: reader.viewPaths, rows_total: rowsTotal })
      .returning('id');
    return row.id as string;
  });
}

/** The job, for its requester only (anyone else gets nothing, as for a missing id). */
export async function findOwnJob(db: Knex, userId: number, id: string): Promise<ExportJob | undefined> {
  if (!isUuid(id)) return undefined;
  return db('export_jobs').where({ id, user_id: userId }).where('expires_at', '>', db.fn.now()).first(JOB_COLUMNS);
}

export function jobFilePath(dir: string, job: { id: string; format: string }): string {
  return path.join(path.resolve(dir), `${job.id}.${job.format}`);
}

/**
 * Claims the oldest queued job (SKIP LOCKED lets several workers share the queue), streams the file
 * to `<id>.part` and renames it when complete: a worker killed half-way leaves no visible file, and
 * the job goes back to the queue. Returns whether a job was run.
 */
export async function runNextExportJob(db: Knex, dir: string, logger: Logger): Promise<boolean> {
  const claimed = await db.transaction(async (trx) => {
    const job = await trx('export_jobs').whereIn('status', ['queued']).orderBy('created_at').forUpdate().skipLocked().first();
    if (!job) return undefined;
    await trx('export_jobs').where({ id: job.id }).update({ status: 'running', started_at: trx.fn.now(), attempts: job.attempts + 1, rows_done: 0 });
    return job;
  });
  if (!claimed) return false;
  const org = await db('organizations').where({ id: claimed.organization_id }).first('id', 'path', 'level', 'inpo');
  const reader = await readerOfJob(db, claimed, org);
  if (!reader) {
    await db('export_jobs').where({ id: claimed.id }).update({ status: 'failed', error: 'У вас больше нет прав на этот список: выгрузка отменена', finished_at: db.fn.now() });
    return true;
  }
  const finalPath = jobFilePath(dir, claimed);
  const partPath = `${finalPath}.part`;
  ensurePrivateDir(path.dirname(finalPath), 'EXPORT_DIR');
  try {
    const sink = sinkUntilGone(fs.createWriteStream(partPath, { mode: PRIVATE_FILE_MODE }));
    sink.onRow = (done) => {
      if (done % PROGRESS_EVERY === 0) void db('export_jobs').where({ id: claimed.id }).update({ rows_done: done });
    };
    const rows = await exportMembers(db, org, claimed.filter, reader, claimed.format, sink);
    if (!sink.out.writableEnded) sink.out.end();
    await finished(sink.out);
    fs.renameSync(partPath, finalPath);
    await db('export_jobs').where({ id: claimed.id }).update({ status: 'done', rows_done: rows, rows_total: rows, file_name: path.basename(finalPath), finished_at: db.fn.now() });
    await recordAudit(db, { actorUserId: claimed.user_id, requestId: `export-job:${claimed.id}`, ip: null }, {
      action: 'member.exported', entity: 'organization', entityId: claimed.organization_id, organizationId: claimed.organization_id,
      newValues: { format: claimed.format, filter: claimed.filter, rows, background: true },
    });
  } catch (err) {
    fs.rmSync(partPath, { force: true });
    logger.error({ err, job: claimed.id }, 'export job failed');
    await db('export_jobs').where({ id: claimed.id }).update({ status: claimed.attempts + 1 >= 3 ? 'failed' : 'queued', error: 'Не удалось подготовить файл' });
  }
  return true;
}

/**
 * The rights a job runs with: the requester's as of the request, re-checked now — a requester blocked or
 * no longer allowed to read the organization's members gets no file (undefined), and the subtrees in
 * which rows show present cards shrink to the grants still held.
 */
async function readerOfJob(db: Knex, job: { user_id: number; viewer_paths: string[] | null }, org: { id: number; path: string; level: string }): Promise<ListReader | undefined> {
  const principal = await loadPrincipal(db, job.user_id);
  if (!principal || !can(principal, 'member.view', org)) return undefined;
  return { viewPaths: stillHeldPaths(job.viewer_paths ?? memberViewPaths(principal), principal) };
}

/** Jobs left 'running' by a stopped worker go back to the queue; their partial files are removed. */
export async function requeueAbandonedJobs(db: Knex, dir: string): Promise<number> {
  const stale = await db('export_jobs').where({ status: 'running' }).where('started_at', '<', db.raw("now() - interval '10 minutes'")).select('id', 'format');
  for (const job of stale) fs.rmSync(`${jobFilePath(dir, job)}.part`, { force: true });
  if (stale.length) await db('export_jobs').whereIn('id', stale.map((j) => j.id)).update({ status: 'queued' });
  return stale.length;
}

const PART_FILE = /^([0-9a-f-]{36})\.(?:xlsx|csv)\.part$/;

/**
 * At start-up: the `.part` files of jobs that are not running were left by a stopped process; removed.
 * Those of jobs still marked running wait for requeueAbandonedJobs (another worker may be writing one).
 */
export async function deletePartFilesOfIdleJobs(db: Knex, dir: string): Promise<number> {
  const parts = (await fs.promises.readdir(dir).catch(() => [])).map((name) => PART_FILE.exec(name)).filter((m) => m !== null);
  if (!parts.length) return 0;
  const running = new Set(await db('export_jobs').whereIn('id', parts.map((m) => m[1]!)).where({ status: 'running' }).pluck('id'));
  const idle = parts.filter((m) => !running.has(m[1]));
  for (const m of idle) await fs.promises.rm(path.join(dir, m[0]), { force: true });
  return idle.length;
}

/** Expired jobs lose their files and rows. */
export async function deleteExpiredExports(db: Knex, dir: string): Promise<number> {
  const expired = await db('export_jobs').where('expires_at', '<', db.fn.now()).select('id', 'format');
  for (const job of expired) fs.rmSync(jobFilePath(dir, job), { force: true });
  if (expired.length) await db('export_jobs').whereIn('id', expired.map((j) => j.id)).delete();
  return expired.length;
}

/** The in-process worker: polls the queue every few seconds while the server runs. */
export function startExportWorker(db: Knex, dir: string, logger: Logger): { stop: () => void } {
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      while (await runNextExportJob(db, dir, logger)) {
        // drain the queue
      }
    } catch (err) {
      logger.error({ err }, 'export worker tick failed');
    } finally {
      busy = false;
    }
  };
  void requeueAbandonedJobs(db, dir).catch((err: unknown) => logger.error({ err }, 'requeue failed'));
  const timer = setInterval(() => void tick(), 2000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

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
import { primaryReads, type Reads } from '../db/replica';
import { findOrgById } from '../registry/orgs.repo';
import { createJobQueue, type JobQueue, type QueuedJob } from '../jobs/job-queue';
import type { NotificationsService } from '../notifications/notifications.service';
import { formatNumber, plural } from '../shared/format';
import {
  claimJob,
  completeJob,
  countActiveJobs,
  deleteJobs,
  expiredJobs,
  failJob,
  insertJob,
  lockUsersJobs,
  requeueJobs,
  retryOrFailJob,
  runningAmong,
  setJobProgress,
  staleRunningJobs,
  type ClaimedJob,
} from './export-jobs.repo';
import { findOwnJob } from './export-jobs.repo';

export const MAX_ACTIVE_JOBS_PER_USER = 3;
const PROGRESS_EVERY = 1000;

/** Queues an export for its requester; at most a few running or waiting per person. */
export async function enqueueExport(
  db: Knex,
  jobs: JobQueue,
  userId: number,
  organizationId: number,
  format: 'xlsx' | 'csv',
  filter: MemberListFilter,
  reader: ListReader,
  rowsTotal: number,
): Promise<string> {
  return inTransaction(db, async (trx) => {
    await lockUsersJobs(trx, userId);
    if ((await countActiveJobs(trx, userId)) >= MAX_ACTIVE_JOBS_PER_USER)
      throw new ConflictError(`У вас уже готовятся ${MAX_ACTIVE_JOBS_PER_USER} выгрузки: дождитесь их окончания`);
    const id = await insertJob(trx, {
      userId,
      organizationId,
      format,
      filter,
      viewerPaths: reader.viewPaths,
      rowsTotal,
    });
    await jobs.send(trx, 'export', { exportJobId: id }, EXPORT_JOB_OPTIONS);
    return id;
  });
}

export function jobFilePath(dir: string, job: { id: string; format: string }): string {
  return path.join(path.resolve(dir), `${job.id}.${job.format}`);
}

/** What the export queue's job carries: the row of `export_jobs` that holds the request and its progress. */
type ExportQueueJob = QueuedJob<{ exportJobId: string }>;

/** The queue's retries (pg-boss): three attempts, 30 s then 60 s apart; an attempt silent for an hour is taken for dead. */
const EXPORT_JOB_OPTIONS = { retryLimit: 2, retryDelay: 30, retryBackoff: true, expireInSeconds: 3600 };

/**
 * Runs one export job of the queue: streams the file to `<id>.part` and renames it when complete, so a
 * worker killed half-way leaves no visible file; a failed attempt shows the job queued again (or failed
 * after the last attempt) and throws, so the queue retries it.
 */
export async function runExportJob(
  db: Knex,
  dir: string,
  logger: Logger,
  job: ExportQueueJob,
  notifications?: NotificationsService,
  reads: Reads = primaryReads(db),
): Promise<void> {
  const claimed = await claimJob(db, job.data.exportJobId);
  if (!claimed) return;
  const org = (await findOrgById(db, claimed.organizationId))!;
  const reader = await readerOfJob(db, claimed, org);
  if (!reader) {
    await failJob(db, claimed.id, 'У вас больше нет прав на этот список: выгрузка отменена');
    return;
  }
  const finalPath = jobFilePath(dir, claimed);
  const partPath = `${finalPath}.part`;
  ensurePrivateDir(path.dirname(finalPath), 'EXPORT_DIR');
  try {
    const sink = sinkUntilGone(fs.createWriteStream(partPath, { mode: PRIVATE_FILE_MODE }));
    sink.onRow = (done) => {
      if (done % PROGRESS_EVERY === 0) void setJobProgress(db, claimed.id, done);
    };
    // the rows from the read replica when there is one (db/replica.ts); the job's bookkeeping on the primary
    const rows = await exportMembers(await reads.pool(), org, claimed.filter, reader, claimed.format, sink);
    if (!sink.out.writableEnded) sink.out.end();
    await finished(sink.out);
    fs.renameSync(partPath, finalPath);
    // done, audited and told together: a failure in any of them leaves the job to its retry, which does all three
    await inTransaction(db, async (trx) => {
      await completeJob(trx, claimed.id, rows, path.basename(finalPath));
      await recordAudit(
        trx,
        { actorUserId: claimed.userId, requestId: `export-job:${claimed.id}`, ip: null },
        {
          action: 'member.exported',
          entity: 'organization',
          entityId: claimed.organizationId,
          organizationId: claimed.organizationId,
          newValues: { format: claimed.format, filter: claimed.filter, rows, background: true },
        },
      );
      await notifications?.notify(trx, {
        kind: 'export_finished',
        to: { userIds: [claimed.userId] },
        title: `Выгрузка списка членов Профсоюза готова: ${formatNumber(rows)} ${plural(rows, ['строка', 'строки', 'строк'])}`,
        body: 'Файл хранится 24 часа.',
        link: `/exports/${claimed.id}`,
      });
    });
  } catch (err) {
    fs.rmSync(partPath, { force: true });
    fs.rmSync(finalPath, { force: true });
    logger.error({ err, job: claimed.id }, 'export job failed');
    await retryOrFailJob(db, claimed.id, job.retryCount >= job.retryLimit, 'Не удалось подготовить файл');
    throw err;
  }
}

/** The export queue's next job run here and now (tools and tests); false when none is due. */
export async function runNextExportJob(db: Knex, dir: string, logger: Logger): Promise<boolean> {
  const jobs = createJobQueue(db, { pollSeconds: 2, maintenanceSeconds: 60, logger });
  jobs.handle<{ exportJobId: string }>('export', (job) => runExportJob(db, dir, logger, job));
  return jobs.runOnce('export');
}

/**
 * The rights a job runs with: the requester's as of the request, re-checked now — a requester blocked or
 * no longer allowed to read the organization's members gets no file (undefined), and the subtrees in
 * which rows show present cards shrink to the grants still held.
 */
async function readerOfJob(
  db: Knex,
  job: ClaimedJob,
  org: { id: number; path: string; level: string },
): Promise<ListReader | undefined> {
  const principal = await loadPrincipal(db, job.userId);
  if (!principal || !can(principal, 'member.view', org)) return undefined;
  return { viewPaths: stillHeldPaths(job.viewerPaths ?? memberViewPaths(principal), principal) };
}

/**
 * Jobs shown running whose worker died show queued again (the queue expires their attempt and runs them
 * again); their partial files are removed.
 */
export async function requeueAbandonedJobs(db: Knex, dir: string): Promise<number> {
  const stale = await staleRunningJobs(db, 10);
  for (const job of stale) fs.rmSync(`${jobFilePath(dir, job)}.part`, { force: true });
  if (stale.length)
    await requeueJobs(
      db,
      stale.map((j) => j.id),
    );
  return stale.length;
}

const PART_FILE = /^([0-9a-f-]{36})\.(?:xlsx|csv)\.part$/;

/**
 * At start-up: the `.part` files of jobs that are not running were left by a stopped process; removed.
 * Those of jobs still marked running wait for requeueAbandonedJobs (another worker may be writing one).
 */
export async function deletePartFilesOfIdleJobs(db: Knex, dir: string): Promise<number> {
  const parts = (await fs.promises.readdir(dir).catch(() => []))
    .map((name) => PART_FILE.exec(name))
    .filter((m) => m !== null);
  if (!parts.length) return 0;
  const running = await runningAmong(
    db,
    parts.map((m) => m[1]!),
  );
  const idle = parts.filter((m) => !running.has(m[1]!));
  for (const m of idle) await fs.promises.rm(path.join(dir, m[0]), { force: true });
  return idle.length;
}

/** Expired jobs lose their files and rows. */
export async function deleteExpiredExports(db: Knex, dir: string): Promise<number> {
  const expired = await expiredJobs(db);
  for (const job of expired) fs.rmSync(jobFilePath(dir, job), { force: true });
  if (expired.length)
    await deleteJobs(
      db,
      expired.map((j) => j.id),
    );
  return expired.length;
}

/** The background exports as the pages use them: queued for a requester, read back by them only. */
export function createExportsService(
  db: Knex,
  jobs: JobQueue,
  options: { exportDir: string; logger: Logger; notifications?: NotificationsService; reads?: Reads },
) {
  jobs.handle<{ exportJobId: string }>('export', (job) =>
    runExportJob(db, options.exportDir, options.logger, job, options.notifications, options.reads),
  );
  return {
    enqueue: (
      userId: number,
      organizationId: number,
      format: 'xlsx' | 'csv',
      filter: MemberListFilter,
      reader: ListReader,
      rowsTotal: number,
    ) => enqueueExport(db, jobs, userId, organizationId, format, filter, reader, rowsTotal),
    ownJob: (userId: number, id: string) => findOwnJob(db, userId, id),
  };
}

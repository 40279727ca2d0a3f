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
import {
  claimNextJob,
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
    return insertJob(trx, { userId, organizationId, format, filter, viewerPaths: reader.viewPaths, rowsTotal });
  });
}

export function jobFilePath(dir: string, job: { id: string; format: string }): string {
  return path.join(path.resolve(dir), `${job.id}.${job.format}`);
}

/**
 * Claims the oldest queued job (SKIP LOCKED lets several workers share the queue), streams the file
 * to `<id>.part` and renames it when complete: a worker killed half-way leaves no visible file, and
 * the job goes back to the queue. Returns whether a job was run.
 */
export async function runNextExportJob(
  db: Knex,
  dir: string,
  logger: Logger,
  reads: Reads = primaryReads(db),
): Promise<boolean> {
  const claimed = await claimNextJob(db);
  if (!claimed) return false;
  const org = (await findOrgById(db, claimed.organizationId))!;
  const reader = await readerOfJob(db, claimed, org);
  if (!reader) {
    await failJob(db, claimed.id, 'У вас больше нет прав на этот список: выгрузка отменена');
    return true;
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
    await completeJob(db, claimed.id, rows, path.basename(finalPath));
    await recordAudit(
      db,
      { actorUserId: claimed.userId, requestId: `export-job:${claimed.id}`, ip: null },
      {
        action: 'member.exported',
        entity: 'organization',
        entityId: claimed.organizationId,
        organizationId: claimed.organizationId,
        newValues: { format: claimed.format, filter: claimed.filter, rows, background: true },
      },
    );
  } catch (err) {
    fs.rmSync(partPath, { force: true });
    logger.error({ err, job: claimed.id }, 'export job failed');
    await retryOrFailJob(db, claimed.id, claimed.attempts + 1 >= 3, 'Не удалось подготовить файл');
  }
  return true;
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

/** Jobs left 'running' by a stopped worker go back to the queue; their partial files are removed. */
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

/** The in-process worker: polls the queue every few seconds while the server runs. */
export function startExportWorker(db: Knex, dir: string, logger: Logger, reads?: Reads): { stop: () => void } {
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      while (await runNextExportJob(db, dir, logger, reads)) {
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

/** The background exports as the pages use them: queued for a requester, read back by them only. */
export function createExportsService(db: Knex) {
  return {
    enqueue: (
      userId: number,
      organizationId: number,
      format: 'xlsx' | 'csv',
      filter: MemberListFilter,
      reader: ListReader,
      rowsTotal: number,
    ) => enqueueExport(db, userId, organizationId, format, filter, reader, rowsTotal),
    ownJob: (userId: number, id: string) => findOwnJob(db, userId, id),
  };
}

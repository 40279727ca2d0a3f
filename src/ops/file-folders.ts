import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { deletePartFilesOfIdleJobs } from '../exports/export-jobs';
import { deleteStaleUploads } from '../imports/upload';
import { ensurePrivateDir } from '../shared/private-files';

/**
 * At start-up, before the first request: the upload and export folders are the app's own (0700), and
 * what a stopped process left in them is gone — every upload (no request of this process has begun; a
 * crashed one's file used to wait a day) and the `.part` file of every export job not running.
 * The folders must not be shared by two instances running at once.
 */
export async function prepareFileFolders(
  db: Knex,
  config: Pick<Config, 'uploadDir' | 'exportDir'>,
  logger: Logger,
): Promise<void> {
  ensurePrivateDir(config.uploadDir, 'UPLOAD_DIR');
  ensurePrivateDir(config.exportDir, 'EXPORT_DIR');
  const uploads = await deleteStaleUploads(config.uploadDir, 0);
  const parts = await deletePartFilesOfIdleJobs(db, config.exportDir);
  if (uploads || parts) logger.info({ uploads, parts }, 'removed files left by a stopped process');
}

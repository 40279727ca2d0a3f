import type { Knex } from 'knex';
import { analyzeAfterBulkChange } from '../db/maintenance';
import type { Logger } from 'pino';
import { pruneLoginFailures } from '../auth/login-throttle';
import { pruneResetRequests } from '../users/reset-throttle';
import { depersonaliseExpired, depersonaliseExpiredPersons } from '../members/retention';
import { pruneDuplicateProbes } from '../members/duplicate-guard';
import { todayIso } from '../shared/dates';
import type { Config } from '../config';
import { deleteExpiredExports } from '../exports/export-jobs';
import { deleteStaleUploads } from '../imports/upload';
import { pruneCheckedUploads } from '../imports/checked-uploads';
import { pruneFormSubmissions } from '../http/setup/form-once';
import { createReportsService } from '../reports/reports.service';
import { pruneAbandonedClaims } from '../reports/indicators/build-beside';

const HOUR_MS = 60 * 60 * 1000;

/**
 * Hourly duties: forget what no rule needs any more, depersonalise cards past retention (sessions are
 * pruned by their store), and bring the union's statistics for the current reporting dates up to date.
 */
export function startHousekeeping(
  db: Knex,
  logger: Logger,
  config: Pick<Config, 'retentionYears' | 'exportDir' | 'uploadDir'>,
): { stop: () => void } {
  const run = async () => {
    try {
      const removed = await pruneLoginFailures(db);
      if (removed) logger.info({ removed }, 'pruned old login failures');
      await pruneResetRequests(db);
      await pruneDuplicateProbes(db);
      const depersonalised = await depersonaliseExpired(db, todayIso(), config.retentionYears);
      if (depersonalised) logger.info({ depersonalised }, 'depersonalised cards past retention');
      const persons = await depersonaliseExpiredPersons(db, todayIso(), config.retentionYears);
      if (persons) logger.info({ persons }, 'depersonalised non-member officers past retention');
      const importReports = await db('import_reports').whereRaw("created_at < now() - interval '7 days'").delete();
      await analyzeAfterBulkChange(db, importReports, ['import_reports']);
      await pruneFormSubmissions(db);
      await deleteExpiredExports(db, config.exportDir);
      const uploads = await deleteStaleUploads(config.uploadDir);
      if (uploads) logger.info({ uploads }, 'removed uploads left by an interrupted request');
      await pruneCheckedUploads(db, config.uploadDir);
      await pruneAbandonedClaims(db);
      await createReportsService(db).warmUnionStats(todayIso());
    } catch (err) {
      logger.warn({ err }, 'housekeeping failed');
    }
  };
  const timer = setInterval(() => void run(), HOUR_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

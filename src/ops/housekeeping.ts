import type { Knex } from 'knex';
import { analyzeAfterBulkChange } from '../db/maintenance';
import type { Logger } from 'pino';
import { pruneLoginFailures } from '../auth/login-throttle';
import { pruneResetRequests } from '../users/reset-throttle';
import { pruneCardChecks } from '../cards/card-check-throttle';
import { pruneJoin } from '../join/join.service';
import { pruneMeetingHits } from '../meetings/meetings.service';
import { pruneApiTokens } from '../api/api-tokens.service';
import { depersonaliseExpired, depersonaliseExpiredPersons } from '../members/retention';
import { pruneDuplicateProbes } from '../members/duplicate-guard';
import { todayIso } from '../shared/dates';
import type { Config } from '../config';
import { deleteExpiredExports, requeueAbandonedJobs } from '../exports/export-jobs';
import type { JobQueue } from '../jobs/job-queue';
import type { NotificationsService } from '../notifications/notifications.service';
import { sendReminders } from './reminders';
import { sendFilingReminders } from '../reports/filing-reminders';
import { sendCampaignReminders } from '../campaigns/campaign-reminders';
import { deleteStaleUploads } from '../imports/upload';
import { pruneCheckedUploads } from '../imports/checked-uploads';
import { pruneFormSubmissions } from '../http/setup/form-once';
import { pruneExpiredDrafts } from '../drafts/drafts.service';
import { pruneClosedPollDrafts } from '../surveys/surveys.service';
import { pruneUnsubscribeTokens } from '../mail/unsubscribe-links';
import { pruneUnsubscribeMisses } from '../unsubscribe/unsubscribe-throttle';
import { createReportsService } from '../reports/reports.service';
import { pruneAbandonedClaims } from '../reports/indicators/build-beside';
import { warmMonitoring } from '../monitoring/monitoring.service';
import { compactRegionCounts } from '../membership/membership';
import { compactListCounts } from '../members/members.service';

/**
 * Hourly duties: forget what no rule needs any more, depersonalise cards past retention (sessions are
 * pruned by their store), and bring the union's statistics for the current reporting dates and today's monitoring
 * figures up to date.
 * A failure fails the queue's job (listed among the failed jobs on /admin/mail); the next tick runs anew.
 */
export async function runHousekeeping(
  db: Knex,
  logger: Logger,
  config: Pick<Config, 'retentionYears' | 'exportDir' | 'uploadDir'>,
  notifications?: NotificationsService,
): Promise<void> {
  const removed = await pruneLoginFailures(db);
  if (removed) logger.info({ removed }, 'pruned old login failures');
  await pruneResetRequests(db);
  await pruneCardChecks(db);
  await pruneJoin(db);
  await pruneMeetingHits(db);
  await pruneApiTokens(db);
  await pruneDuplicateProbes(db);
  const depersonalised = await depersonaliseExpired(db, todayIso(), config.retentionYears);
  if (depersonalised) logger.info({ depersonalised }, 'depersonalised cards past retention');
  const persons = await depersonaliseExpiredPersons(db, todayIso(), config.retentionYears);
  if (persons) logger.info({ persons }, 'depersonalised non-member officers past retention');
  const importReports = await db('import_reports').whereRaw("created_at < now() - interval '7 days'").delete();
  await analyzeAfterBulkChange(db, importReports, ['import_reports']);
  await pruneFormSubmissions(db);
  await pruneExpiredDrafts(db);
  await pruneClosedPollDrafts(db);
  await pruneUnsubscribeTokens(db);
  await pruneUnsubscribeMisses(db);
  await deleteExpiredExports(db, config.exportDir);
  await requeueAbandonedJobs(db, config.exportDir);
  const uploads = await deleteStaleUploads(config.uploadDir);
  if (uploads) logger.info({ uploads }, 'removed uploads left by an interrupted request');
  await pruneCheckedUploads(db, config.uploadDir);
  await pruneAbandonedClaims(db);
  await compactRegionCounts(db);
  await compactListCounts(db);
  if (notifications) {
    await sendReminders(db, notifications, todayIso());
    await sendFilingReminders(db, notifications, todayIso());
    await sendCampaignReminders(db, notifications, todayIso());
  }
  await createReportsService(db).warmUnionStats(todayIso());
  await warmMonitoring(db, todayIso());
}

/**
 * The hourly housekeeping as a schedule of the job queue (HOUSEKEEPING_CRON): pg-boss sends one job per
 * tick whichever instances run, and the queue's singleton policy lets one run at a time.
 */
export function scheduleHousekeeping(
  jobs: JobQueue,
  db: Knex,
  logger: Logger,
  config: Pick<Config, 'retentionYears' | 'exportDir' | 'uploadDir' | 'housekeepingCron' | 'timeZone'>,
  notifications: NotificationsService,
): void {
  jobs.handle('housekeeping', async () => {
    try {
      await runHousekeeping(db, logger, config, notifications);
    } catch (err) {
      logger.warn({ err }, 'housekeeping failed');
      throw err;
    }
  });
  jobs.every('housekeeping', config.housekeepingCron, config.timeZone);
}

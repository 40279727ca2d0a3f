import type { Knex } from 'knex';
import type { NotificationsService } from '../notifications/notifications.service';
import { addDays } from '../shared/event-dates';
import { formatDate } from '../shared/format';
import { inTransaction } from '../db/transaction';
import { ANNOUNCE_BATCH } from './campaign-announcements';
import { TASK_HOLDER_ROLES, tasksDueBetween } from './campaigns.repo';

/** A task without a result is announced in the week before its date, and once more in the three days after it. */
const DAYS_BEFORE = 7;
const DAYS_AFTER = 3;

/**
 * The hourly job's campaign reminders: each task with no result reaches its organization's chair and
 * coordinators once before its date (the level's deadline, or the date it was postponed to) and once when it is
 * overdue — once per task and date (the notification's key, so a postponed task is told of its new date), however
 * many hours it stays in a window: the tasks already told are not read again.
 */
export async function sendCampaignReminders(db: Knex, notifications: NotificationsService, today: string) {
  let told = 0;
  const windows = [
    { kind: 'campaign_due' as const, from: today, to: addDays(today, DAYS_BEFORE) },
    { kind: 'campaign_overdue' as const, from: addDays(today, -DAYS_AFTER), to: addDays(today, -1) },
  ];
  for (const { kind, from, to } of windows) {
    const keyPrefix = `${kind}:`;
    const items = (await tasksDueBetween(db, from, to, keyPrefix)).map((task) => ({
      organizationId: task.organizationId,
      title:
        kind === 'campaign_due'
          ? `Срок отчётов и выборов — ${formatDate(task.due)}: ${task.name}`
          : `Итоги отчётов и выборов не внесены в срок (${formatDate(task.due)}): ${task.name}`,
      body: `Кампания «${task.campaignName}». Внесите итоги собрания (конференции) или перенос с причиной.`,
      link: `/orgs/${task.inpo}/campaigns/${task.campaignId}/task`,
      dedupeKey: `${keyPrefix}${task.campaignId}:${task.organizationId}:${task.due}`,
    }));
    // set-based like the announcement: a union-wide deadline is ~70,000 tasks, not 70,000 transactions
    for (let i = 0; i < items.length; i += ANNOUNCE_BATCH) {
      const batch = items.slice(i, i + ANNOUNCE_BATCH);
      await inTransaction(db, (trx) => notifications.notifyOrganizations(trx, kind, TASK_HOLDER_ROLES, batch));
      told += batch.length;
    }
  }
  return told;
}

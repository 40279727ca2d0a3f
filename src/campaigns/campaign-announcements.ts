import type { Knex } from 'knex';
import { inTransaction } from '../db/transaction';
import type { JobQueue } from '../jobs/job-queue';
import type { NotificationsService } from '../notifications/notifications.service';
import { formatDate } from '../shared/format';
import { TASK_HOLDER_ROLES, findCampaign, tasksToAnnounce } from './campaigns.repo';

/**
 * Tasks told per transaction: a union-wide campaign has ~70,000, so one transaction would hold its locks and its
 * letters' rows for minutes; a batch is four statements (the tasks, the rows, the letters, their jobs).
 */
export const ANNOUNCE_BATCH = 1000;

type AnnounceJob = { campaignId: number };

/** Queued on the declaration's transaction: the announcement exists only if the campaign does. */
export const queueAnnouncement = (trx: Knex.Transaction, jobs: JobQueue, campaignId: number) =>
  jobs.send(trx, 'campaign', { campaignId } satisfies AnnounceJob, {
    retryLimit: 5,
    retryDelay: 30,
    retryBackoff: true,
  });

/** The key that tells each holder of a task of its campaign once, whatever runs the announcement again. */
const keyOf = (campaignId: number, organizationId: number) => `campaign_declared:${campaignId}:${organizationId}`;

/**
 * A declared campaign announced to the chair and coordinators of every organization in scope (by their
 * channel for `campaign_declared`), with their task's link and deadline: after the declaration commits, from
 * the queue, `batch` tasks per transaction walked by organization id. Never twice: each row is keyed per user
 * and task (notifications_dedupe_idx), so a retried job, or a second one, tells no one again — and sends no
 * letter, since letters go only with the rows this run inserted. Returns how many were told.
 */
export async function announceCampaign(
  db: Knex,
  notifications: Pick<NotificationsService, 'notifyOrganizations'>,
  campaignId: number,
  batch = ANNOUNCE_BATCH,
): Promise<number> {
  const campaign = await findCampaign(db, campaignId);
  if (!campaign) return 0;
  const body = `Кампания объявлена: ${campaign.organizationName}, ${formatDate(campaign.startsOn)} — ${formatDate(campaign.endsOn)}. Проведите отчётно-выборное собрание (конференцию) и внесите его итоги или перенос с причиной.`;
  let told = 0;
  for (let after = 0; ;) {
    const tasks = await tasksToAnnounce(db, campaignId, after, batch);
    if (!tasks.length) return told;
    told += await inTransaction(db, (trx) =>
      notifications.notifyOrganizations(
        trx,
        'campaign_declared',
        TASK_HOLDER_ROLES,
        tasks.map((t) => ({
          organizationId: t.organizationId,
          title: `Отчёты и выборы «${campaign.name}»: срок — ${formatDate(t.deadline)}`,
          body,
          link: `/orgs/${t.inpo}/campaigns/${campaignId}/task`,
          dedupeKey: keyOf(campaignId, t.organizationId),
        })),
      ),
    );
    after = tasks.at(-1)!.organizationId;
  }
}

/** The `campaign` queue's worker (registered at composition, deps.ts). */
export function handleCampaignJobs(
  db: Knex,
  jobs: JobQueue,
  notifications: Pick<NotificationsService, 'notifyOrganizations'>,
) {
  jobs.handle<AnnounceJob>('campaign', async (job) => {
    await announceCampaign(db, notifications, job.data.campaignId);
  });
}

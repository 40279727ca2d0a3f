import type { Knex } from 'knex';
import type { Principal } from '../access/principal';
import { recordAudit, type AuditContext } from '../audit/audit';
import { inTransaction } from '../db/transaction';
import type { JobQueue } from '../jobs/job-queue';
import { ConflictError, NotFoundError, ValidationError } from '../http/errors';
import type { OrgRow } from '../registry/org-row';
import { electOfficer, endCurrentOfficers } from '../registry/passport.service';
import { eventDates, sinceCreation, type EventDates } from '../shared/event-dates';
import { pathWithin } from '../shared/org-paths';
import { queueAnnouncement } from './campaign-announcements';
import {
  chairTermsEndingBy,
  currentCampaignPerChild,
  findCampaign,
  findTask,
  insertCampaign,
  insertCampaignTasks,
  insertPostponement,
  listCampaigns,
  listTasks,
  progressOn,
  saveTaskOutcome,
  tasksOf,
  type CampaignRow,
  type TaskRow,
} from './campaigns.repo';
import {
  DECLARING_LEVELS,
  levelsInScopeOf,
  type CampaignInput,
  type PostponeInput,
  type ResultInput,
  type TaskState,
} from './campaigns.schemas';

/**
 * Report-and-election campaigns (issue 21, item 2): declared at the union or a region for the levels below,
 * a task per organization in scope; a task's result elects the chair (and, when given, the committee) through
 * the passport's own election, so the officers' history and the audit are the passport's.
 */
/** The passport's election speaks of its `electedOn`; the result's form calls that date `heldOn`. */
async function onHeldOn<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    throw new ValidationError(err.fields.map((f) => (f.field === 'electedOn' ? { ...f, field: 'heldOn' } : f)));
  }
}

export function createCampaignsService(db: Knex, jobs: JobQueue, dates: EventDates = eventDates()) {
  /** A campaign is seen from the organization that declared it and everywhere below it; elsewhere 404. */
  async function visible(org: OrgRow, id: number): Promise<CampaignRow> {
    const campaign = await findCampaign(db, id);
    if (!campaign || !pathWithin(org.path, campaign.organizationPath)) throw new NotFoundError();
    return campaign;
  }

  /** The organization's own task in a campaign it is in scope of; 404 otherwise. */
  async function taskOf(org: OrgRow, id: number): Promise<{ campaign: CampaignRow; task: TaskRow }> {
    const campaign = await visible(org, id);
    const task = await findTask(db, id, org.id);
    if (!task) throw new NotFoundError();
    return { campaign, task };
  }

  /** The task locked for a result; a task with its result recorded takes no other. */
  async function lockOpenTask(trx: Knex.Transaction, org: OrgRow, campaignId: number): Promise<TaskRow> {
    const task = await findTask(trx, campaignId, org.id, true);
    if (!task) throw new NotFoundError();
    if (task.outcome === 'held') throw new ConflictError('Итоги отчётов и выборов этой организации уже внесены');
    return task;
  }

  return {
    visible,
    taskOf,
    list: (org: OrgRow) => listCampaigns(db, org.path),
    tasksOf: (org: OrgRow) => tasksOf(db, org.id),
    mayDeclareAt: (org: OrgRow) => DECLARING_LEVELS.has(org.level),
    /** The monitoring's figure (handed to it by deps.ts): the current campaign's held and in scope per child. */
    progressPerChild: (org: OrgRow, on: string) => currentCampaignPerChild(db, org.path, on),

    async declare(org: OrgRow, principal: Principal, ctx: AuditContext, input: CampaignInput) {
      if (!DECLARING_LEVELS.has(org.level)) throw new NotFoundError();
      const allowed = levelsInScopeOf(org.level);
      if (input.deadlines.some((d) => !(allowed as string[]).includes(d.level)))
        throw new ValidationError([{ field: 'levels', message: 'Выберите уровни организаций, входящих в вашу' }]);
      const declared = await inTransaction(db, async (trx) => {
        const id = await insertCampaign(
          trx,
          {
            organizationId: org.id,
            name: input.name,
            startsOn: input.startsOn,
            endsOn: input.endsOn,
            createdBy: principal.id,
          },
          input.deadlines,
        );
        const tasks = await insertCampaignTasks(trx, id, org.path);
        await recordAudit(trx, ctx, {
          action: 'campaign.declared',
          entity: 'campaign',
          entityId: id,
          organizationId: org.id,
          newValues: { ...input, tasks },
        });
        // the organizations in scope hear of it from the queue once this commits (campaign-announcements.ts)
        await queueAnnouncement(trx, jobs, id);
        return { id, tasks };
      });
      jobs.wake('campaign');
      return declared;
    },

    /** Held, scheduled and overdue on a date per child and per level, and the chairs whose term ends before the campaign does. */
    async progress(org: OrgRow, campaign: CampaignRow, on: string) {
      const [progress, endingTerms] = await Promise.all([
        progressOn(db, campaign.id, org.path, on),
        chairTermsEndingBy(db, campaign.id, org.path, campaign.endsOn),
      ]);
      return { ...progress, endingTerms };
    },

    tasks: (org: OrgRow, campaign: CampaignRow, on: string, filter: { state?: TaskState; level?: string }) =>
      listTasks(db, campaign.id, org.path, on, filter),

    /**
     * The meeting's or conference's result: the elected chair starts their term on the day it was held with its
     * protocol (the previous chair's ends that day), the committee given replaces the present one, and the task is
     * held — one transaction, every step audited.
     */
    async recordResult(ctx: AuditContext, principal: Principal, org: OrgRow, campaignId: number, input: ResultInput) {
      const campaign = await visible(org, campaignId);
      dates.check('heldOn', input.heldOn, [
        sinceCreation(org.createdOn),
        { on: campaign.startsOn, what: 'начала кампании' },
      ]);
      dates.checkPast('heldOn', input.heldOn, 'Дата проведения');
      await inTransaction(db, async (trx) => {
        await lockOpenTask(trx, org, campaign.id);
        const { bodyKind, heldOn, protocolNumber, protocolDate, committeeIds, ...person } = input;
        const post = { electedOn: heldOn, salaried: false, protocolNumber, protocolDate, trainedOn: null };
        const chairId = await onHeldOn(() =>
          electOfficer(trx, ctx, principal, org, { ...person, ...post, post: 'chair' }),
        );
        if (committeeIds.length) {
          await endCurrentOfficers(trx, ctx, org, 'committee', heldOn);
          for (const memberId of new Set(committeeIds))
            await electOfficer(trx, ctx, principal, org, {
              personKind: 'member',
              memberId,
              snils: null,
              surname: null,
              name: null,
              patronymic: null,
              sex: null,
              birthDate: null,
              ...post,
              post: 'committee',
            });
        }
        const values = {
          outcome: 'held' as const,
          bodyKind,
          heldOn,
          protocolNumber,
          protocolDate,
          chairOfficerId: chairId,
        };
        // a postponement stays: the task was scheduled for its new date until the meeting was held
        await saveTaskOutcome(trx, campaign.id, org.id, values, ctx.actorUserId);
        await recordAudit(trx, ctx, {
          action: 'campaign.result_recorded',
          entity: 'campaign',
          entityId: campaign.id,
          organizationId: org.id,
          newValues: { ...values, committee: committeeIds.length },
        });
      });
    },

    /**
     * The meeting did not take place by the deadline: the reason and the new date, after which the task is
     * overdue — from today on: the days before keep the date they had (the postponements' history).
     */
    async postpone(ctx: AuditContext, org: OrgRow, campaignId: number, input: PostponeInput) {
      const campaign = await visible(org, campaignId);
      const today = dates.today();
      if (input.postponedTo < today)
        throw new ValidationError([{ field: 'postponedTo', message: 'Новая дата не может быть в прошлом' }]);
      await inTransaction(db, async (trx) => {
        const task = await lockOpenTask(trx, org, campaign.id);
        const values = { outcome: 'postponed' as const, postponedReason: input.reason, postponedTo: input.postponedTo };
        await saveTaskOutcome(trx, campaign.id, org.id, values, ctx.actorUserId);
        await insertPostponement(
          trx,
          { campaignId: campaign.id, organizationId: org.id, recordedOn: today, ...input },
          ctx.actorUserId,
        );
        await recordAudit(trx, ctx, {
          action: 'campaign.postponed',
          entity: 'campaign',
          entityId: campaign.id,
          organizationId: org.id,
          oldValues: { outcome: task.outcome, postponedTo: task.postponedTo, deadline: task.deadline },
          newValues: values,
        });
      });
    },
  };
}

export type CampaignsService = ReturnType<typeof createCampaignsService>;

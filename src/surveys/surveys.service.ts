import { isDeepStrictEqual } from 'node:util';
import type { Knex } from 'knex';
import type { Principal } from '../access/principal';
import { recordAudit, type AuditContext } from '../audit/audit';
import { memberViewPaths } from '../access/access';
import { inTransaction } from '../db/transaction';
import { filterOf, type ListQuery } from '../members/member-list-query';
import { ConflictError, NotFoundError, ForbiddenError } from '../http/errors';
import type { NotificationsService } from '../notifications/notifications.service';
import type { OrgRow } from '../registry/org-row';
import { pathWithin } from '../shared/org-paths';
import { todayIso } from '../shared/dates';
import { formatDate } from '../shared/format';
import { publishedChangeRefusal, readAnswers, type AnswerCheck } from './survey-definition';
import { surveyResults } from './survey-results';
import {
  ANSWERING_ROLES,
  insertMemberPollTasks,
  memberTarget,
  memberTasks,
  publishMemberPoll,
  saveMemberAnswer,
  saveMemberDraft,
  deleteClosedPollDrafts,
  findResponse,
  findSurvey,
  insertSurvey,
  insertSurveyTasks,
  isTarget,
  listSurveys,
  lockMemberTarget,
  lockSurvey,
  openTasks,
  publishSurvey,
  saveResponse,
  surveysTo,
  updateSurvey,
  type SurveyFields,
  type SurveyRow,
} from './surveys.repo';

const LIST_SIZE = 100;

/** Why a change or an answer is refused: the form shows it next to the field it names. */
export class SurveyRefusal extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Whether the user answers for the organization: a chair's (or another staff) grant on it itself. */
export const answersFor = (principal: Principal, organizationId: number) =>
  principal.grants.some((g) => g.organizationId === organizationId && ANSWERING_ROLES.includes(g.role));

/** The hourly housekeeping's part: member poll drafts of closed polls, never to be submitted, are deleted. */
export const pruneClosedPollDrafts = (db: Knex) => deleteClosedPollDrafts(db, todayIso());

/**
 * Surveys of organizations (issue #20 item 1): a questionnaire built at an organization, published to the
 * organizations of chosen levels in its subtree (each answers once), its answers rolled up over any subtree.
 */
export function createSurveysService(db: Knex, notifications: Pick<NotificationsService, 'notify'>) {
  /** The survey as seen from the organization: built there or above it, else none (404). */
  async function visible(org: OrgRow, id: number): Promise<SurveyRow> {
    const survey = await findSurvey(db, id);
    if (!survey || !pathWithin(org.path, survey.organizationPath)) throw new NotFoundError();
    return survey;
  }

  /** The survey as its author organization changes it; elsewhere it is not there to change. */
  async function own(org: OrgRow, id: number): Promise<SurveyRow> {
    const survey = await visible(org, id);
    if (survey.organizationId !== org.id) throw new NotFoundError();
    return survey;
  }

  /** An answer comes between the survey's dates, read under the caller's lock. */
  async function refuseOutsideDates(locked: { status: string; opensOn: string; closesOn: string } | undefined) {
    const today = todayIso();
    if (!locked || locked.status !== 'published') throw new NotFoundError();
    if (today > locked.closesOn)
      throw new SurveyRefusal('form', `Опрос закрыт ${formatDate(locked.closesOn)}: ответы больше не принимаются`);
    if (today < locked.opensOn)
      throw new SurveyRefusal('form', `Опрос откроется ${formatDate(locked.opensOn)}: отвечать пока рано`);
  }

  const auditOf = (survey: { id: number; organizationId: number }) => ({
    entity: 'survey',
    entityId: survey.id,
    organizationId: survey.organizationId,
  });

  async function publishOrganizations(trx: Knex.Transaction, survey: SurveyRow, text: { title: string; body: string }) {
    const targets = await publishSurvey(trx, survey);
    const task = {
      kind: 'survey_published' as const,
      ...text,
      link: (inpo: string) => `/orgs/${inpo}/surveys/${survey.id}/answer`,
    };
    const byEmail = await insertSurveyTasks(trx, survey.id, task);
    // the few who chose e-mail for the kind: their row and letter through the service
    for (const { userId, inpo } of byEmail)
      await notifications.notify(trx, {
        kind: task.kind,
        to: { userIds: [userId] },
        title: task.title,
        body: task.body,
        link: task.link(inpo),
      });
    return targets;
  }

  /** A member poll's targets: the member list's filter over the subtree as the publisher may read it, with consent. */
  async function publishMembers(
    trx: Knex.Transaction,
    survey: SurveyRow,
    org: OrgRow,
    principal: Principal,
    text: { title: string; body: string },
  ) {
    const filter = filterOf({ ...(survey.memberFilter ?? {}), status: 'active', sort: 'name' } as ListQuery);
    const targets = await publishMemberPoll(trx, survey.id, org, filter, { viewPaths: memberViewPaths(principal) });
    await insertMemberPollTasks(trx, survey.id, {
      kind: 'survey_published',
      ...text,
      link: `/me/surveys/${survey.id}`,
    });
    return targets;
  }

  return {
    list: (org: OrgRow) => listSurveys(db, org.path, LIST_SIZE),
    /** The surveys sent to the organization, for whoever answers for it. */
    sentTo: (org: OrgRow) => surveysTo(db, org.id),
    visible,
    own,

    async create(org: OrgRow, principal: Principal, audit: AuditContext, fields: SurveyFields): Promise<number> {
      return inTransaction(db, async (trx) => {
        const id = await insertSurvey(trx, {
          ...fields,
          organizationId: org.id,
          authorUserId: principal.id,
          version: 1,
          copiedFromId: null,
        });
        await recordAudit(trx, audit, {
          action: 'survey.created',
          ...auditOf({ id, organizationId: org.id }),
          newValues: { title: fields.title },
        });
        return id;
      });
    },

    /** A draft changes freely; a published survey only gains options (else a refusal naming why). */
    async update(org: OrgRow, id: number, audit: AuditContext, fields: SurveyFields): Promise<void> {
      const survey = await own(org, id);
      await inTransaction(db, async (trx) => {
        const locked = await lockSurvey(trx, id, 'update');
        if (locked?.status === 'published') {
          const { definition, ...rest } = fields;
          const before = {
            title: survey.title,
            description: survey.description,
            targetLevels: [...survey.targetLevels].sort(),
            opensOn: survey.opensOn,
            closesOn: survey.closesOn,
            audience: survey.audience,
            anonymous: survey.anonymous,
            memberFilter: survey.memberFilter,
          };
          const after = { ...rest, targetLevels: [...rest.targetLevels].sort() };
          if (!isDeepStrictEqual(before, after))
            throw new SurveyRefusal(
              'title',
              'Опрос опубликован: название, сроки и адресатов изменить нельзя. Для другого опроса сделайте копию',
            );
          const refusal = publishedChangeRefusal(survey.definition, definition);
          if (refusal) throw new SurveyRefusal('definition', refusal);
          await updateSurvey(trx, id, { definition });
        } else {
          await updateSurvey(trx, id, fields);
        }
        await recordAudit(trx, audit, {
          action: 'survey.updated',
          ...auditOf(survey),
          newValues: { title: fields.title, status: locked?.status },
        });
      });
    },

    /** Publishes a draft: its targets are fixed and everyone who answers for one gets the task. */
    async publish(org: OrgRow, id: number, principal: Principal, audit: AuditContext): Promise<number> {
      const survey = await own(org, id);
      return inTransaction(db, async (trx) => {
        const locked = await lockSurvey(trx, id, 'update');
        if (locked?.status !== 'draft') throw new ConflictError('Опрос уже опубликован');
        if (survey.closesOn < todayIso())
          throw new SurveyRefusal('closesOn', 'Дата окончания опроса уже прошла: укажите другую');
        const title = `Опрос «${survey.title}»`.slice(0, 300);
        const body = `Ответьте до ${formatDate(survey.closesOn)} (${survey.organizationName})`;
        const targets =
          survey.audience === 'members'
            ? await publishMembers(trx, survey, org, principal, { title, body })
            : await publishOrganizations(trx, survey, { title, body });
        await recordAudit(trx, audit, { action: 'survey.published', ...auditOf(survey), newValues: { targets } });
        return targets;
      });
    },

    /** «Создать копию»: a new draft of the next version, built at the same organization. */
    async copy(org: OrgRow, id: number, principal: Principal, audit: AuditContext): Promise<number> {
      const survey = await own(org, id);
      return inTransaction(db, async (trx) => {
        const copyId = await insertSurvey(trx, {
          title: survey.title,
          description: survey.description,
          definition: survey.definition,
          targetLevels: survey.targetLevels,
          audience: survey.audience,
          anonymous: survey.anonymous,
          memberFilter: survey.memberFilter,
          opensOn: survey.opensOn,
          closesOn: survey.closesOn,
          organizationId: org.id,
          authorUserId: principal.id,
          version: survey.version + 1,
          copiedFromId: survey.id,
        });
        await recordAudit(trx, audit, {
          action: 'survey.created',
          ...auditOf({ id: copyId, organizationId: org.id }),
          newValues: { title: survey.title, copiedFromId: survey.id, version: survey.version + 1 },
        });
        return copyId;
      });
    },

    results: (org: OrgRow, survey: SurveyRow) => surveyResults(db, survey, org),

    /** The survey an organization answers: published and sent to it (else 404), for a user who answers for it (else 403). */
    async toAnswer(org: OrgRow, principal: Principal, id: number) {
      const survey = await findSurvey(db, id);
      if (!survey || survey.status !== 'published' || !(await isTarget(db, id, org.id))) throw new NotFoundError();
      if (!answersFor(principal, org.id)) throw new ForbiddenError();
      const response = await findResponse(db, id, org.id);
      const today = todayIso();
      return { survey, response, open: survey.opensOn <= today && today <= survey.closesOn };
    },

    /**
     * Saves a draft or submits, in one transaction with the survey's row shared-locked: the dates are read
     * there, and the response's upsert never changes a submitted one (a second submit is refused).
     */
    async answer(
      org: OrgRow,
      principal: Principal,
      survey: SurveyRow,
      audit: AuditContext,
      body: Record<string, unknown>,
      submit: boolean,
    ): Promise<AnswerCheck> {
      const check = readAnswers(survey.definition, body, submit);
      // a wrong answer is shown next to its field and nothing is saved, a draft included
      if (check.errors.length) return check;
      await inTransaction(db, async (trx) => {
        const locked = await lockSurvey(trx, survey.id, 'share');
        await refuseOutsideDates(locked);
        const saved = await saveResponse(trx, {
          surveyId: survey.id,
          organizationId: org.id,
          userId: principal.id,
          answers: check.answers,
          submit,
        });
        if (!saved) throw new SurveyRefusal('form', 'Ответы на этот опрос уже отправлены: изменить их нельзя');
        if (submit)
          await recordAudit(trx, audit, {
            action: 'survey.answered',
            entity: 'survey_response',
            entityId: survey.id,
            organizationId: org.id,
          });
      });
      return check;
    },

    /** The member poll a member answers: published and sent to them (else 404). */
    async toAnswerAsMember(principal: Principal, id: number) {
      const survey = await findSurvey(db, id);
      const target = principal.memberId != null ? await memberTarget(db, id, principal.memberId) : undefined;
      if (!survey || survey.status !== 'published' || survey.audience !== 'members' || !target)
        throw new NotFoundError();
      const today = todayIso();
      return { survey, target, open: survey.opensOn <= today && today <= survey.closesOn };
    },

    /**
     * A member's draft or answer, in one transaction with the survey's row shared-locked (the dates read there)
     * and the member's target row locked (a draft cannot slip in after the answer). A draft is kept with the
     * member until they submit; the answer is stored apart — with no person for an anonymous poll — once: the
     * member marked as having answered, the draft deleted.
     */
    async answerAsMember(
      principal: Principal,
      survey: SurveyRow,
      target: { organizationId: number },
      audit: AuditContext,
      body: Record<string, unknown>,
      submit: boolean,
    ): Promise<AnswerCheck> {
      const check = readAnswers(survey.definition, body, submit);
      // as for organizations: a wrong answer is shown next to its field and nothing is saved, a draft included
      if (check.errors.length) return check;
      const memberId = principal.memberId!;
      await inTransaction(db, async (trx) => {
        const locked = await lockSurvey(trx, survey.id, 'share');
        await refuseOutsideDates(locked);
        const already = new SurveyRefusal('form', 'Вы уже ответили на этот опрос: ответить ещё раз нельзя');
        if ((await lockMemberTarget(trx, survey.id, memberId))?.answered) throw already;
        if (!submit) return saveMemberDraft(trx, survey.id, memberId, check.answers);
        const saved = await saveMemberAnswer(trx, {
          surveyId: survey.id,
          memberId,
          organizationId: target.organizationId,
          anonymous: survey.anonymous,
          answers: check.answers,
        });
        if (!saved) throw already;
        // who answered, never what: an anonymous answer cannot be found from here
        await recordAudit(trx, audit, {
          action: 'survey.answered',
          entity: 'survey',
          entityId: survey.id,
          organizationId: target.organizationId,
        });
      });
      return check;
    },

    /** Open member polls the member has yet to answer (the personal account's list). */
    memberTasks: (memberId: number) => memberTasks(db, memberId, todayIso()),

    /** The home page's tasks: open surveys each organization the user answers for has not submitted. */
    async tasks(principal: Principal) {
      const ids = [
        ...new Set(principal.grants.filter((g) => ANSWERING_ROLES.includes(g.role)).map((g) => g.organizationId)),
      ];
      return openTasks(db, ids, todayIso());
    },
  };
}

export type SurveysService = ReturnType<typeof createSurveysService>;

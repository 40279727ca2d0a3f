import type { Knex } from 'knex';
import { mailingCandidates, type ListReader, type ListRoot, type MemberListFilter } from '../members/members.repo';
import type { Level } from '../registry/levels';
import type { Answers, Definition } from './survey-definition';
import type { Audience, MemberFilter } from './surveys.schemas';

export interface SurveyFields {
  title: string;
  description: string;
  definition: Definition;
  targetLevels: Level[];
  opensOn: string;
  closesOn: string;
  /** organizations of the levels, or members by the filter (with their mailing consent) */
  audience: Audience;
  /** a member poll keeps no link from an answer to a person */
  anonymous: boolean;
  memberFilter: MemberFilter | null;
}

export interface SurveyRow extends SurveyFields {
  id: number;
  organizationId: number;
  organizationPath: string;
  organizationInpo: string;
  organizationName: string;
  authorName: string | null;
  version: number;
  copiedFromId: number | null;
  status: 'draft' | 'published';
  publishedAt: Date | null;
  createdAt: Date;
  targets: number;
  submitted: number;
}

function selectSurveys(db: Knex) {
  return db('surveys as s')
    .join('organizations as o', 'o.id', 's.organization_id')
    .leftJoin('users as u', 'u.id', 's.author_user_id')
    .select({
      id: 's.id',
      organizationId: 's.organization_id',
      organizationPath: db.raw('o.path::text'),
      organizationInpo: 'o.inpo',
      organizationName: 'o.name',
      authorName: 'u.full_name',
      title: 's.title',
      description: 's.description',
      definition: 's.definition',
      targetLevels: 's.target_levels',
      audience: 's.audience',
      anonymous: 's.anonymous',
      memberFilter: 's.member_filter',
      opensOn: db.raw("to_char(s.opens_on, 'YYYY-MM-DD')"),
      closesOn: db.raw("to_char(s.closes_on, 'YYYY-MM-DD')"),
      version: 's.version',
      copiedFromId: 's.copied_from_id',
      status: 's.status',
      publishedAt: 's.published_at',
      createdAt: 's.created_at',
      targets: db.raw(`CASE s.audience WHEN 'members'
          THEN (SELECT count(*)::int FROM survey_member_targets t WHERE t.survey_id = s.id)
          ELSE (SELECT count(*)::int FROM survey_targets t WHERE t.survey_id = s.id) END`),
      submitted: db.raw(`CASE s.audience WHEN 'members'
          THEN (SELECT count(*)::int FROM survey_respondents t WHERE t.survey_id = s.id)
          ELSE (SELECT count(*)::int FROM survey_responses r WHERE r.survey_id = s.id AND r.status = 'submitted') END`),
    });
}

const toRow = (r: SurveyRow): SurveyRow => ({
  ...r,
  id: Number(r.id),
  copiedFromId: r.copiedFromId === null ? null : Number(r.copiedFromId),
});

export async function findSurvey(db: Knex, id: number): Promise<SurveyRow | undefined> {
  const row = await selectSurveys(db).where('s.id', id).first();
  return row && toRow(row);
}

/** The surveys built at the organization or above it (whose results its subtree may read), newest first. */
export async function listSurveys(db: Knex, orgPath: string, limit: number): Promise<SurveyRow[]> {
  const rows = await selectSurveys(db).whereRaw('o.path @> ?::ltree', [orgPath]).orderBy('s.id', 'desc').limit(limit);
  return rows.map(toRow);
}

const columnsOf = (f: SurveyFields) => ({
  title: f.title,
  description: f.description,
  definition: JSON.stringify(f.definition),
  target_levels: f.targetLevels,
  opens_on: f.opensOn,
  closes_on: f.closesOn,
  audience: f.audience,
  anonymous: f.anonymous,
  member_filter: f.memberFilter === undefined ? undefined : JSON.stringify(f.memberFilter),
});

export async function insertSurvey(
  trx: Knex.Transaction,
  row: SurveyFields & { organizationId: number; authorUserId: number; version: number; copiedFromId: number | null },
): Promise<number> {
  const [created] = await trx('surveys')
    .insert({
      ...columnsOf(row),
      organization_id: row.organizationId,
      author_user_id: row.authorUserId,
      version: row.version,
      copied_from_id: row.copiedFromId,
    })
    .returning('id');
  return Number(created.id);
}

/** The survey's row locked for the change (or for an answer: the dates cannot move meanwhile). */
export async function lockSurvey(trx: Knex.Transaction, id: number, mode: 'update' | 'share') {
  const { rows } = await trx.raw(
    `SELECT status, to_char(opens_on, 'YYYY-MM-DD') AS "opensOn", to_char(closes_on, 'YYYY-MM-DD') AS "closesOn"
       FROM surveys WHERE id = ? FOR ${mode === 'update' ? 'UPDATE' : 'SHARE'}`,
    [id],
  );
  return rows[0] as { status: 'draft' | 'published'; opensOn: string; closesOn: string } | undefined;
}

export async function updateSurvey(trx: Knex.Transaction, id: number, fields: Partial<SurveyFields>): Promise<void> {
  const all = columnsOf({ ...({} as SurveyFields), ...fields });
  const set = Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
  await trx('surveys')
    .where({ id })
    .update({ ...set, updated_at: trx.fn.now() });
}

/** Publishes the survey: its targets are the live organizations of its levels in its subtree, fixed now. */
export async function publishSurvey(trx: Knex.Transaction, survey: SurveyRow): Promise<number> {
  await trx('surveys').where({ id: survey.id }).update({ status: 'published', published_at: trx.fn.now() });
  const { rowCount } = await trx.raw(
    `INSERT INTO survey_targets (survey_id, organization_id)
     SELECT ?::bigint, o.id FROM organizations o
      WHERE o.path <@ ?::ltree AND o.level = ANY(?::text[]) AND o.liquidated_on IS NULL`,
    [survey.id, survey.organizationPath, survey.targetLevels],
  );
  return rowCount ?? 0;
}

/** Publishes a member poll: its targets are the members the filter finds with their mailing consent, fixed now. */
export async function publishMemberPoll(
  trx: Knex.Transaction,
  surveyId: number,
  root: ListRoot,
  filter: MemberListFilter,
  reader: ListReader,
) {
  await trx('surveys').where({ id: surveyId }).update({ status: 'published', published_at: trx.fn.now() });
  const { rowCount } = await trx.raw(
    `INSERT INTO survey_member_targets (survey_id, member_id, organization_id)
     SELECT ?::bigint, c.member_id, c.organization_id FROM (?) c WHERE c.consent`,
    [surveyId, mailingCandidates(trx, root, filter, reader)],
  );
  return rowCount ?? 0;
}

/** The in-app task of a member poll for the members' own logins, in one statement. */
export async function insertMemberPollTasks(
  trx: Knex.Transaction,
  surveyId: number,
  task: { kind: string; title: string; body: string; link: string },
) {
  await trx.raw(
    `INSERT INTO notifications (user_id, kind, title, body, link)
     SELECT u.id, ?, ?, ?, ? FROM survey_member_targets t
       JOIN users u ON u.member_id = t.member_id AND u.blocked_at IS NULL
       LEFT JOIN notification_preferences p ON p.user_id = u.id AND p.kind = ?
      WHERE t.survey_id = ? AND (p.channel IS NULL OR p.channel <> 'none')`,
    [task.kind, task.title, task.body, task.link, task.kind, surveyId],
  );
}

/** Open member polls the member has yet to answer. */
export async function memberTasks(db: Knex, memberId: number, today: string) {
  const rows: { id: number; title: string; closesOn: string; anonymous: boolean; draft: boolean }[] = await db(
    'survey_member_targets as t',
  )
    .join('surveys as s', 's.id', 't.survey_id')
    .where('t.member_id', memberId)
    .where('s.status', 'published')
    .where('s.opens_on', '<=', today)
    .where('s.closes_on', '>=', today)
    .whereNotExists(db('survey_respondents as r').whereRaw('r.survey_id = t.survey_id AND r.member_id = t.member_id'))
    .orderBy('s.closes_on')
    .select({
      id: 's.id',
      title: 's.title',
      closesOn: db.raw("to_char(s.closes_on, 'YYYY-MM-DD')"),
      anonymous: 's.anonymous',
      draft: db.raw(
        'EXISTS (SELECT 1 FROM survey_member_drafts d WHERE d.survey_id = t.survey_id AND d.member_id = t.member_id)',
      ),
    });
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

export interface MemberTarget {
  organizationId: number;
  answered: boolean;
  /** the member's saved draft, until they submit */
  draft: { answers: Answers; savedAt: Date } | null;
}

export async function memberTarget(db: Knex, surveyId: number, memberId: number) {
  const { rows } = await db.raw(
    `SELECT t.organization_id AS "organizationId",
            EXISTS (SELECT 1 FROM survey_respondents r WHERE r.survey_id = t.survey_id AND r.member_id = t.member_id) AS answered,
            (SELECT json_build_object('answers', d.answers, 'savedAt', d.saved_at) FROM survey_member_drafts d
              WHERE d.survey_id = t.survey_id AND d.member_id = t.member_id) AS draft
       FROM survey_member_targets t WHERE t.survey_id = ? AND t.member_id = ?`,
    [surveyId, memberId],
  );
  const row = rows[0] as
    (Omit<MemberTarget, 'draft'> & { draft: { answers: Answers; savedAt: string } | null }) | undefined;
  return row && { ...row, draft: row.draft && { ...row.draft, savedAt: new Date(row.draft.savedAt) } };
}

/**
 * The member's target row locked for a draft or a submit, with whether they have answered: a draft saved
 * while the submit commits waits for it and then sees the answer, so no draft outlives a submitted answer.
 */
export async function lockMemberTarget(trx: Knex.Transaction, surveyId: number, memberId: number) {
  const { rows } = await trx.raw(
    `SELECT EXISTS (SELECT 1 FROM survey_respondents r WHERE r.survey_id = t.survey_id AND r.member_id = t.member_id) AS answered
       FROM survey_member_targets t WHERE t.survey_id = ? AND t.member_id = ? FOR UPDATE`,
    [surveyId, memberId],
  );
  return rows[0] as { answered: boolean } | undefined;
}

/** Keeps the member's draft of the poll (the latest save wins). */
export async function saveMemberDraft(trx: Knex.Transaction, surveyId: number, memberId: number, answers: Answers) {
  await trx.raw(
    `INSERT INTO survey_member_drafts (survey_id, member_id, answers) VALUES (?, ?, ?::jsonb)
     ON CONFLICT (survey_id, member_id) DO UPDATE SET answers = EXCLUDED.answers, saved_at = now()`,
    [surveyId, memberId, JSON.stringify(answers)],
  );
}

/** Drafts of polls closed before `today`: never to be submitted, and a person's answers all the same. */
export async function deleteClosedPollDrafts(db: Knex, today: string): Promise<number> {
  return db('survey_member_drafts')
    .whereIn('survey_id', db('surveys').where('closes_on', '<', today).select('id'))
    .delete();
}

/**
 * A member's answer: the member is marked as having answered (once: the key refuses a second), and the answer
 * is stored apart — for an anonymous poll with no member and no organization. Returns false when already answered.
 */
export async function saveMemberAnswer(
  trx: Knex.Transaction,
  a: { surveyId: number; memberId: number; organizationId: number; anonymous: boolean; answers: Answers },
): Promise<boolean> {
  const { rows } = await trx.raw(
    `INSERT INTO survey_respondents (survey_id, member_id) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING 1`,
    [a.surveyId, a.memberId],
  );
  if (!rows.length) return false;
  // the draft goes in the answer's transaction: nothing named is left beside a nameless answer
  await trx('survey_member_drafts').where({ survey_id: a.surveyId, member_id: a.memberId }).delete();
  await trx('survey_member_answers').insert({
    survey_id: a.surveyId,
    member_id: a.anonymous ? null : a.memberId,
    organization_id: a.anonymous ? null : a.organizationId,
    answers: JSON.stringify(a.answers),
  });
  return true;
}

/** The roles whose holders on a target organization answer for it (its chair, or a user granted on it). */
export const ANSWERING_ROLES = ['chair', 'coordinator', 'statistician', 'admin'];

/**
 * The in-app task of a published survey for everyone who answers for a target, in one statement (76,000
 * ППО are one INSERT … SELECT): those who chose «не уведомлять» for the kind get none, those who chose
 * e-mail are returned to be told through the notifications service (which writes their row and letter).
 */
export async function insertSurveyTasks(
  trx: Knex.Transaction,
  surveyId: number,
  task: { kind: string; title: string; body: string; link: (inpo: string) => string },
): Promise<{ userId: number; inpo: string }[]> {
  const [prefix, suffix] = task.link('\u0000').split('\u0000') as [string, string];
  const { rows } = await trx.raw(
    `WITH who AS (
       SELECT DISTINCT ON (g.user_id) g.user_id, o.inpo, p.channel
         FROM survey_targets t
         JOIN organizations o ON o.id = t.organization_id
         JOIN role_grants g ON g.organization_id = t.organization_id AND g.role = ANY(?::text[])
                           AND (g.valid_until IS NULL OR g.valid_until >= CURRENT_DATE)
         JOIN users u ON u.id = g.user_id AND u.blocked_at IS NULL
         LEFT JOIN notification_preferences p ON p.user_id = g.user_id AND p.kind = ?
        WHERE t.survey_id = ?
        ORDER BY g.user_id, o.inpo),
     -- a data-modifying CTE runs whether or not the query reads it
     told AS (
       INSERT INTO notifications (user_id, kind, title, body, link)
       SELECT user_id, ?, ?, ?, ? || inpo || ? FROM who WHERE channel IS NULL OR channel = 'app')
     SELECT user_id AS "userId", inpo FROM who WHERE channel = 'email'`,
    [ANSWERING_ROLES, task.kind, surveyId, task.kind, task.title, task.body, prefix, suffix],
  );
  return rows as { userId: number; inpo: string }[];
}

/** Open surveys the organizations have to answer (published, within their dates, not submitted), per organization. */
export async function openTasks(db: Knex, organizationIds: number[], today: string) {
  if (!organizationIds.length) return [];
  const rows: { organizationId: number; surveyId: number; title: string; closesOn: string; draft: boolean }[] =
    await db('survey_targets as t')
      .join('surveys as s', 's.id', 't.survey_id')
      .leftJoin('survey_responses as r', function () {
        this.on('r.survey_id', 't.survey_id').andOn('r.organization_id', 't.organization_id');
      })
      .whereIn('t.organization_id', organizationIds)
      .where('s.status', 'published')
      .where('s.opens_on', '<=', today)
      .where('s.closes_on', '>=', today)
      .where((q) => q.whereNull('r.id').orWhere('r.status', 'draft'))
      .orderBy('s.closes_on')
      .select({
        organizationId: 't.organization_id',
        surveyId: 's.id',
        title: 's.title',
        closesOn: db.raw("to_char(s.closes_on, 'YYYY-MM-DD')"),
        draft: db.raw('r.id IS NOT NULL'),
      });
  return rows.map((r) => ({ ...r, surveyId: Number(r.surveyId) }));
}

/** The surveys sent to the organization, with how far it has got. */
export async function surveysTo(db: Knex, organizationId: number) {
  const rows: { id: number; title: string; opensOn: string; closesOn: string; state: string | null }[] = await db(
    'survey_targets as t',
  )
    .join('surveys as s', 's.id', 't.survey_id')
    .leftJoin('survey_responses as r', function () {
      this.on('r.survey_id', 't.survey_id').andOn('r.organization_id', 't.organization_id');
    })
    .where('t.organization_id', organizationId)
    .orderBy('s.id', 'desc')
    .limit(100)
    .select({
      id: 's.id',
      title: 's.title',
      opensOn: db.raw("to_char(s.opens_on, 'YYYY-MM-DD')"),
      closesOn: db.raw("to_char(s.closes_on, 'YYYY-MM-DD')"),
      state: 'r.status',
    });
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

export async function isTarget(db: Knex, surveyId: number, organizationId: number): Promise<boolean> {
  return Boolean(await db('survey_targets').where({ survey_id: surveyId, organization_id: organizationId }).first());
}

export interface ResponseRow {
  answers: Answers;
  status: 'draft' | 'submitted';
  submittedAt: Date | null;
  updatedAt: Date;
}

export async function findResponse(db: Knex, surveyId: number, organizationId: number) {
  return db('survey_responses')
    .where({ survey_id: surveyId, organization_id: organizationId })
    .first<ResponseRow | undefined>({
      answers: 'answers',
      status: 'status',
      submittedAt: 'submitted_at',
      updatedAt: 'updated_at',
    });
}

/**
 * Saves the answers as a draft or submits them, in one statement: a submitted response is never changed (the
 * upsert's WHERE skips it; the trigger refuses any other UPDATE). Returns false when it was already submitted.
 */
export async function saveResponse(
  trx: Knex.Transaction,
  r: { surveyId: number; organizationId: number; userId: number; answers: Answers; submit: boolean },
): Promise<boolean> {
  const status = r.submit ? 'submitted' : 'draft';
  const { rows } = await trx.raw(
    `INSERT INTO survey_responses (survey_id, organization_id, answers, status, saved_by_user_id, submitted_at)
     VALUES (?, ?, ?::jsonb, ?, ?, CASE WHEN ? THEN now() END)
     ON CONFLICT ON CONSTRAINT survey_responses_once DO UPDATE
        SET answers = EXCLUDED.answers, status = EXCLUDED.status, saved_by_user_id = EXCLUDED.saved_by_user_id,
            submitted_at = EXCLUDED.submitted_at, updated_at = now()
      WHERE survey_responses.status = 'draft'
     RETURNING id`,
    [r.surveyId, r.organizationId, JSON.stringify(r.answers), status, r.userId, r.submit],
  );
  return rows.length === 1;
}

import type { Express } from 'express';
import type { Knex } from 'knex';
import type { OrgRow } from '../../src/registry/orgs.repo';
import { loggedInAgent, type Agent } from './agents';
import { testConfig } from './app';
import { createLibraryDocument } from './library';
import { createOfficerFile, type OfficerFileParams } from './officers';
import { createMembers, createOrg, createRegionTree, createUser, unionRoot } from './factories';
import { createPublishedSurvey } from './surveys';
import { createOpenCampaign } from './campaigns';
import { insertMeeting } from './meetings';

/** A reporting date with a filed report in the fixture, and one without any. */
export const FILED_DATE = '2026-04-01';
export const OPEN_DATE = '2026-07-01';

export interface RouteFixture {
  /** union → region → territory → ППО, and a second ППО (`other`) that a transfer request of the first addresses. */
  tree: Awaited<ReturnType<typeof createRegionTree>> & { other: OrgRow };
  admin: { agent: Agent; csrf: string };
  /** A route's path with its parameters filled with real objects of the fixture (`/members/:id` → a member). */
  url: (path: string, params?: Partial<RouteParams>) => string;
  params: RouteParams;
}

export interface RouteParams extends OfficerFileParams {
  inpo: string;
  otherInpo: string;
  memberId: string;
  /** more members of the ППО, for the routes that end or move a membership */
  spareMemberIds: string[];
  consentId: string;
  cardId: string;
  officerId: string;
  requestId: string;
  exportId: string;
  importId: string;
  form: string;
  date: string;
  file: string;
  formVersionId: string;
  /** a document template's version (one is shipped for every kind) */
  templateId: string;
  /** a document a member card, an application and a passport offer (`/members/:id/documents/:memberDocument`) */
  memberDocument: string;
  applicationDocument: string;
  orgDocument: string;
  /** a chair of the ППО with an e-mail and an audit trail (never deleted), a grant of another user, a kept letter, a link token that opens nothing */
  userId: string;
  grantId: string;
  messageId: string;
  token: string;
  /** a mailing of the ППО (`/orgs/:inpo/mailings/:mailingId`) */
  mailingId: string;
  /** a library document issued by the ППО (`/library/:docId`), and its one version */
  docId: string;
  versionNo: string;
  /** a published survey built at the ППО and sent to it (`/orgs/:inpo/surveys/:surveyId`) */
  surveyId: string;
  /** a report-and-election campaign declared at the union for the ППО: the ППО's task is open (`/orgs/:inpo/campaigns/:campaignId`) */
  campaignId: string;
  /** an open meeting of the ППО with a remote link, its members as participants (`/orgs/:inpo/meetings/:meetingId`) */
  meetingId: string;
  /** the first member's admission, which the meeting may have decided */
  admissionEventId: string;
  /** a session handle of the account page (`/account/sessions/:handle/end`) that matches no session */
  handle: string;
}

/**
 * A ППО with every kind of object a route can address — members, an officer, a consent, a card, a pending
 * transfer request, a filed report, an export job and an import report — and a logged-in admin of the union.
 */
export async function createRouteFixture(app: Express, db: Knex): Promise<RouteFixture> {
  const tree = await createRegionTree(db, 16);
  const union = await unionRoot(db);
  const user = await createUser(db, [{ role: 'admin', org: union }]);
  const admin = await loggedInAgent(app, user);
  const other = await createOrg(db, tree.territory, 'primary');
  const [memberId, movingId, ...spare] = (await createMembers(db, tree.primary, 6, {
    phone: '+79001234567',
    email: 'member@example.ru',
  })) as [number, number, ...number[]];
  await db('org_headcounts').insert({
    organization_id: tree.primary.id,
    as_of: '2026-01-01',
    employees_total: 40,
    employees_pedagogical: 20,
    students_total: 0,
  });
  const [officer] = await db('org_officers')
    .insert({
      organization_id: tree.primary.id,
      post: 'chair',
      surname: 'Петрова',
      name: 'Мария',
      elected_on: '2024-01-10',
      term_until: '2029-01-10',
    })
    .returning('id');
  const [consent] = await db('member_consents')
    .insert({ member_id: memberId, kind: 'processing', text_version: '1', source: 'paper', given_on: '2024-01-10' })
    .returning('id');
  const [card] = await db('union_cards')
    .insert({ number: `T-${memberId}`, member_id: memberId, status: 'requested', status_on: '2024-01-10' })
    .returning('id');
  const [request] = await db('transfer_requests')
    .insert({
      member_id: movingId,
      from_organization_id: tree.primary.id,
      to_organization_id: other.id,
      transfer_on: '2026-05-01',
      requested_by: user.id,
    })
    .returning('id');
  const [job] = await db('export_jobs')
    .insert({
      user_id: user.id,
      organization_id: tree.primary.id,
      format: 'csv',
      filter: JSON.stringify({ status: 'active' }),
      rows_total: 3,
    })
    .returning('id');
  const [report] = await db('import_reports')
    .insert({
      user_id: user.id,
      organization_id: tree.primary.id,
      issues: JSON.stringify([{ line: 2, column: 'Фамилия', message: 'Укажите фамилию' }]),
    })
    .returning('id');
  await fileReport(admin, tree.primary);
  const chair = await createUser(db, [{ role: 'chair', org: tree.primary }]);
  await db('users').where({ id: chair.id }).update({ email: 'chair@example.ru' });
  await db('audit_log').insert({
    actor_user_id: chair.id,
    action: 'user.logged_in',
    entity: 'user',
    entity_id: String(chair.id),
  });
  const [foreignGrant] = await db('role_grants')
    .insert({ user_id: (await createUser(db, [])).id, role: 'chair', organization_id: other.id })
    .returning('id');
  const [letter] = await db('mail_outbox')
    .insert({ to_address: 'someone@example.ru', subject: 'Письмо', body: 'Текст', status: 'kept' })
    .returning('id');
  const [mailing] = await db('mailings')
    .insert({
      organization_id: tree.primary.id,
      author_user_id: chair.id,
      subject: 'Рассылка',
      body: 'Текст',
      target: JSON.stringify({ kind: 'members', filter: {} }),
    })
    .returning('id');
  const surveyId = await createPublishedSurvey(db, tree.primary, user.id);
  const campaignId = await createOpenCampaign(db, union, [tree.primary, other]);
  const meetingId = await createOpenMeeting(db, tree.primary);
  const admission = await db('membership_events').where({ member_id: memberId, kind: 'admitted' }).first('id');
  const params: RouteParams = {
    inpo: tree.primary.inpo,
    otherInpo: other.inpo,
    memberId: String(memberId),
    spareMemberIds: spare.map(String),
    consentId: String(consent.id),
    cardId: String(card.id),
    officerId: String(officer.id),
    requestId: String(request.id),
    exportId: job.id,
    importId: report.id,
    form: '5-SP',
    date: FILED_DATE,
    file: FILED_DATE,
    formVersionId: '1',
    templateId: '1',
    memberDocument: 'certificate.pdf',
    applicationDocument: 'membership-application.docx',
    orgDocument: 'registration-card.docx',
    userId: String(chair.id),
    grantId: String(foreignGrant.id),
    messageId: String(letter.id),
    token: 'no-such-token',
    handle: '0'.repeat(32),
    mailingId: String(mailing.id),
    docId: String((await createLibraryDocument(db, testConfig().libraryDir, { issuer: tree.primary })).id),
    versionNo: '1',
    surveyId: String(surveyId),
    campaignId: String(campaignId),
    meetingId: String(meetingId),
    admissionEventId: String(admission.id),
    // a personnel file: a member's post in the ППО with an entry of every section and a document
    ...(await createOfficerFile(db, testConfig().libraryDir, tree.primary, memberId)),
  };
  const url = (path: string, given: Partial<RouteParams> = {}) => {
    const { spareMemberIds: _spare, ...p } = { ...params, ...given };
    const id = path.startsWith('/exports/')
      ? p.exportId
      : path.startsWith('/imports/')
        ? p.importId
        : path.startsWith('/transfer-requests/')
          ? p.requestId
          : path.startsWith('/admin/users/')
            ? p.userId
            : p.memberId;
    const values: Record<string, string> = { ...p, id };
    return path.replace(/:(\w+)/g, (_m, name: string) => values[name] ?? `missing-${name}`);
  };
  return { tree: { ...tree, other }, admin, url, params };
}

/** An open meeting of the organization's members, dated today, with two agenda items and a remote link. */
async function createOpenMeeting(db: Knex, org: OrgRow): Promise<number> {
  const id = await insertMeeting(db, org, { remote_url: 'https://meet.example.ru/ppo' });
  await db('meeting_agenda_items').insert([
    { meeting_id: id, position: 1, title: 'О плане работы' },
    { meeting_id: id, position: 2, title: 'Разное' },
  ]);
  await db.raw(
    `INSERT INTO meeting_participants (meeting_id, member_id, invited)
     SELECT ?, id, false FROM members WHERE organization_id = ? AND left_on IS NULL`,
    [id, org.id],
  );
  return id;
}

async function fileReport(admin: { agent: Agent; csrf: string }, org: OrgRow) {
  const res = await admin.agent
    .post(`/reports/5-SP/${org.inpo}/${FILED_DATE}/file`)
    .type('form')
    .send({ _csrf: admin.csrf });
  if (res.status !== 303) throw new Error(`the fixture's report was not filed: ${res.status}`);
}

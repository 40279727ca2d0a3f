// The fields every route reads, beside the authorization matrix: for each route, query parameters and
// form fields with values that let it do its work on the objects of test/support/route-fixture.ts. The
// property test (test/integration/input-fuzz.test.ts) starts from these and spoils one or two values at a
// time, so generated junk reaches the deepest code a valid request reaches. It fails when a matrix route
// has no entry here, or when a page's form has a field its route's entry lacks.
import type { RouteParams } from './support/route-fixture';
import { FIXTURE_SURVEY_DEFINITION } from './support/surveys';
import { todayIso } from '../src/shared/dates';
import { ELECTED_POSTS } from '../src/campaigns/campaigns.schemas';
import { ruleField } from '../src/campaigns/term-rules.service';
import { LEVELS } from '../src/registry/levels';

export interface FuzzEntry {
  /** Query parameters the route reads. */
  query?: Record<string, string>;
  /** Form fields the route reads. */
  body?: Record<string, string | string[]>;
  /** Path parameters other than the fixture's defaults (a member whose membership the route may end). */
  params?: Partial<RouteParams>;
  /**
   * The page (a route pattern, filled like the route's own path) whose form carries the row's version and
   * snapshot (`version`, `base`): the fuzzer reads them there before each request, as a browser sends them
   * back, and spoils them like any other field.
   */
  versionedBy?: string;
}

/** The analytics' forms (a cross-table on a date; the figures by month). */
const ANALYTICS_CROSS = { date: '2026-05-15', rows: 'age', columns: 'sex', share: 'row', bands: '35, 50, 60' };
const ANALYTICS_SERIES = { from: '2026-01', to: '2026-05' };

/** A library document's description (the upload and edit forms). */
const LIBRARY_DOCUMENT = (p: RouteParams) => ({
  title: 'Положение о первичной профсоюзной организации',
  category: 'normative',
  issuerInpo: p.inpo,
  issuedOn: '2026-03-01',
  number: '12-п',
  tags: 'положения, образцы',
  visibility: 'subtree',
  visibleInpo: p.inpo,
  visibleRole: '',
  supersededBy: '',
});

/** Good values of each section of an officer's personnel file (src/officers/sections.ts), by its row's parameter. */
const OFFICER_FILE_FORMS: Record<string, [string, (p: RouteParams) => Record<string, string>]> = {
  education: [
    'educationId',
    () => ({
      level: 'higher',
      institution: 'Педагогический университет',
      graduatedYear: '2002',
      speciality: 'История',
    }),
  ],
  experience: [
    'experienceId',
    () => ({
      organization: 'Профком школы № 5',
      position: 'Председатель',
      startedOn: '2010-09-01',
      endedOn: '2015-06-30',
    }),
  ],
  trainings: [
    'trainingId',
    () => ({
      course: 'Школа профсоюзного лидера',
      organizer: 'Учебный центр',
      startedOn: '2025-03-10',
      endedOn: '2025-03-14',
      hours: '36',
      certificateNumber: 'УД-123',
    }),
  ],
  awards: [
    'awardId',
    () => ({ kind: 'union', title: 'Почётная грамота', awardedOn: '2024-10-05', decision: 'Постановление № 12' }),
  ],
  reserve: [
    'reserveId',
    (p) => ({ post: 'chair', organizationInpo: p.inpo, since: '2024-01-01', until: '', removedReason: '' }),
  ],
};

function officerFileFields(): Record<string, (p: RouteParams) => FuzzEntry> {
  return Object.fromEntries(
    Object.entries(OFFICER_FILE_FORMS).flatMap(([section, [param, body]]) => {
      const base = `/orgs/:inpo/officers/:postId/${section}`;
      return [
        [`GET ${base}/new`, none],
        [`POST ${base}`, (p: RouteParams) => ({ body: body(p) })],
        [`GET ${base}/:${param}`, none],
        [`POST ${base}/:${param}`, (p: RouteParams) => ({ body: body(p) })],
        [`POST ${base}/:${param}/delete`, none],
      ];
    }),
  );
}

/** The hidden fields of a versioned form (src/http/versioned-forms.ts). */
export const VERSION_FIELDS = ['version', 'base'] as const;

const ON = '2026-05-15';
/** Every cell of the term rules' form: five years for each level's elected posts. */
const TERM_RULES = Object.fromEntries(LEVELS.flatMap((l) => ELECTED_POSTS.map((p) => [ruleField(l, p), '5'])));
/** The member list's filter (a page's query, and the hidden fields of the bulk and export forms). */
const MEMBER_FILTER = {
  q: 'Петрова',
  category: 'working',
  sex: 'f',
  status: 'active',
  pedagogical: 'no',
  consent: 'no_mailing',
  sort: 'name',
  on: '',
  age: '35-50',
  tenure: '10-plus',
  card: '',
  cardKind: '',
  kind: 'school',
  address: '',
};
const PERSON = {
  surname: 'Сидорова',
  name: 'Анна',
  patronymic: 'Петровна',
  sex: 'f',
  birthDate: '12.03.1990',
  phone: '+7 843 123-45-67',
  email: 'anna@example.ru',
  snils: '112-233-445 95',
  position: 'Учитель',
  professionalGroup: 'Педагогические работники',
  studyForm: '',
  studyYear: '',
};
const EVENT = { on: ON, documentNumber: '12-к', documentDate: ON };
const none = (): FuzzEntry => ({});
const AUDIT_FILTER = (p: RouteParams) => ({
  actor: 'nobody',
  org: p.inpo,
  action: 'member.viewed',
  entity: 'member',
  from: '2026-01-01',
  to: '2026-12-31',
});

/** The survey builder's form: the route fixture's survey with one option more. */
const SURVEY_DEFINITION = structuredClone(FIXTURE_SURVEY_DEFINITION);
SURVEY_DEFINITION.sections[0]!.questions[0]!.options = ['Да', 'Нет', 'Готовится'];
const SURVEY_FORM = {
  title: 'Опрос',
  description: '',
  audience: 'organizations',
  anonymous: '',
  category: '',
  sex: '',
  pedagogical: '',
  age: '',
  tenure: '',
  card: '',
  kind: '',
  levels: 'primary',
  opensOn: todayIso(),
  closesOn: `${Number(todayIso().slice(0, 4)) + 1}${todayIso().slice(4)}`,
  definition: JSON.stringify(SURVEY_DEFINITION),
};

export const FUZZ_FIELDS: Record<string, (p: RouteParams) => FuzzEntry> = {
  'GET /healthz': none,
  'GET /help': none,
  'GET /readyz': none,
  'GET /favicon.ico': none,
  'GET /login': () => ({ query: { next: '/orgs' } }),
  // a wrong password: logging the fuzzing admin in again would replace its session
  'POST /login': () => ({ body: { username: 'nobody-here', password: 'wrong-password', next: '/' } }),
  // a wrong current password: a changed password would end the session's siblings
  'GET /account/password': none,
  'POST /account/password': () => ({
    body: {
      currentPassword: 'not the password',
      newPassword: 'новая фраза для входа 2026',
      confirmPassword: 'новая фраза для входа 2026',
    },
  }),
  'GET /': none,
  'GET /orgs/:inpo': none,
  'GET /orgs/:inpo/officers': none,
  'GET /orgs/:inpo/headcount': none,
  'GET /orgs/:inpo/structure': () => ({ query: { sort: 'name', page: '1' } }),
  'GET /orgs/:inpo/agreement': none,
  'GET /orgs/:inpo/search': () => ({ query: { q: 'Организация', filter: 'no_chair', level: 'primary', after: '' } }),
  'GET /orgs/:inpo/edit': none,
  'POST /orgs/:inpo/edit': () => ({
    versionedBy: '/orgs/:inpo/edit',
    body: {
      name: 'ППО школы № 1',
      shortName: 'ППО № 1',
      employerKind: 'school',
      employerName: 'МБОУ «Средняя общеобразовательная школа № 1»',
      employerInn: '7707083893',
      address: 'Казань, ул. Баумана, 1',
      phone: '8 843 222-22-22',
      email: 'ppo@example.ru',
      website: 'school1.ru',
      primaryForm: '5-SP',
      onlineAdmission: 'allowed',
    },
  }),
  'GET /orgs/:inpo/officers/new': () => ({ query: { q: 'Петрова' } }),
  'POST /orgs/:inpo/officers': () => ({
    body: {
      q: '',
      post: 'deputy',
      personKind: 'nonmember',
      memberId: '',
      snils: '112-233-445 95',
      surname: 'Орлова',
      name: 'Ольга',
      patronymic: 'Игоревна',
      sex: 'f',
      birthDate: '1985-03-04',
      electedOn: ON,
      salaried: 'on',
      protocolNumber: '3',
      protocolDate: ON,
      trainedOn: ON,
    },
  }),
  'GET /orgs/:inpo/officers/:officerId/person': () => ({ query: { q: 'Петрова' } }),
  'POST /orgs/:inpo/officers/:officerId/person': () => ({
    body: {
      q: '',
      personKind: 'nonmember',
      memberId: '',
      snils: '123-456-789 64',
      surname: 'Петрова',
      name: 'Мария',
      patronymic: '',
      sex: 'f',
      birthDate: '1980-02-02',
    },
  }),
  'POST /orgs/:inpo/officers/:officerId/end': () => ({ body: { endedOn: ON, confirmed: '1' } }),
  'POST /orgs/:inpo/headcount': () => ({
    versionedBy: '/orgs/:inpo/headcount',
    body: { asOf: ON, employeesTotal: '40', employeesPedagogical: '20', studentsTotal: '300', institutionsTotal: '' },
  }),
  'GET /orgs/:inpo/agreement/edit': none,
  'POST /orgs/:inpo/agreement': () => ({
    versionedBy: '/orgs/:inpo/agreement/edit',
    body: {
      asOf: ON,
      status: 'active',
      noneReason: '',
      signedOn: '2025-01-10',
      validFrom: '2025-01-10',
      validTo: '2028-01-09',
      registrationNumber: '17',
      registrationDate: '2025-01-20',
    },
  }),
  'POST /orgs/:inpo/agreement/annexes': () => ({
    body: { title: 'Положение об оплате труда', signedOn: '2025-01-10' },
  }),
  'GET /orgs/:inpo/history': none,
  'GET /orgs/:inpo/children/new': none,
  'POST /orgs/:inpo/children': () => ({
    body: {
      level: 'subdivision',
      name: 'Профгруппа начальной школы',
      shortName: '',
      employerKind: '',
      hasTerritorialRights: '',
    },
  }),
  'GET /orgs/:inpo/export.xlsx': none,
  'GET /orgs/:inpo/import': none,
  'GET /orgs/:inpo/import/template.xlsx': none,
  'POST /orgs/:inpo/import': () => ({ body: { mode: 'check' } }),
  'GET /orgs/:inpo/members': () => ({ query: { ...MEMBER_FILTER, after: '' } }),
  'GET /orgs/:inpo/members/new': none,
  'POST /orgs/:inpo/members': (p) => ({
    body: {
      ...PERSON,
      category: 'working',
      isPedagogical: 'on',
      organizationInpo: p.inpo,
      joinedOn: ON,
      documentNumber: '1',
      documentDate: ON,
      notDuplicate: 'on',
    },
  }),
  'GET /members/:id': none,
  'GET /members/:id/application': none,
  'GET /members/:id/edit': none,
  'POST /members/:id/edit': () => ({ versionedBy: '/members/:id/edit', body: PERSON }),
  'GET /orgs/:inpo/cards': none,
  'GET /orgs/:inpo/members/import': none,
  'GET /orgs/:inpo/members/import/template.xlsx': none,
  'GET /orgs/:inpo/members/export.xlsx': () => ({ query: MEMBER_FILTER }),
  'GET /orgs/:inpo/members/export.csv': () => ({ query: MEMBER_FILTER }),
  'GET /orgs/:inpo/members/duplicates': none,
  'GET /orgs/:inpo/transfer-requests': none,
  'POST /members/:id/transfer': (p) => ({
    versionedBy: '/members/:id',
    body: { toInpo: p.otherInpo, ...EVENT, reason: 'Перевод по месту работы' },
    params: { memberId: p.spareMemberIds[0] },
  }),
  'POST /members/:id/exit': (p) => ({
    versionedBy: '/members/:id',
    body: { reason: 'voluntary', ...EVENT, confirmed: '1' },
    params: { memberId: p.spareMemberIds[1] },
  }),
  'POST /members/:id/category': () => ({
    versionedBy: '/members/:id',
    body: { category: 'working', isPedagogical: 'on', onParentalLeave: '', ...EVENT },
  }),
  'POST /members/:id/cards': (p) => ({ body: { kind: 'virtual', on: ON }, params: { memberId: p.spareMemberIds[2] } }),
  'POST /members/:id/cards/move': (p) => ({ body: { cardId: p.cardId, to: 'sent_to_production', on: ON, reason: '' } }),
  'POST /orgs/:inpo/cards/batch': () => ({
    body: { from: 'requested', to: 'sent_to_production', on: ON, confirmed: '1' },
  }),
  'POST /members/:id/consents': () => ({
    body: { kind: 'mailing', channel: 'email', textVersion: '2026-1', source: 'paper', on: ON },
  }),
  'POST /members/:id/consents/withdraw': (p) => ({ body: { consentId: p.consentId, on: ON } }),
  'POST /orgs/:inpo/members/import': () => ({ body: { mode: 'check' } }),
  'POST /members/:id/readmit': (p) => ({
    versionedBy: '/members/:id',
    body: { organizationInpo: p.inpo, category: 'working', ...EVENT },
    params: { memberId: p.spareMemberIds[1] },
  }),
  'POST /members/:id/merge': (p) => ({ body: { duplicateId: p.spareMemberIds[3]! } }),
  'POST /orgs/:inpo/members/bulk': (p) => ({
    body: {
      ...MEMBER_FILTER,
      action: 'card',
      from: 'requested',
      to: 'sent_to_production',
      toInpo: p.otherInpo,
      reason: 'voluntary',
      on: ON,
      scope: 'selected',
      ids: [p.memberId],
      confirmed: '1',
    },
  }),
  'POST /transfer-requests/:id/decide': () => ({ body: { decision: 'decline', reason: 'Нет вакансии', back: '/' } }),
  'POST /orgs/:inpo/members/export-jobs': () => ({ body: { ...MEMBER_FILTER, format: 'csv' } }),
  'GET /exports/:id': none,
  'GET /exports/:id/download': none,
  'GET /imports/:id/errors.csv': none,
  // restructuring without `confirm` answers with a preview: the fixture's tree stays as it is
  'GET /orgs/:inpo/move': none,
  'POST /orgs/:inpo/move': (p) => ({ body: { target: p.otherInpo, on: ON, confirm: '' } }),
  'GET /orgs/:inpo/move/targets': () => ({ query: { target: 'Организация' } }),
  'GET /orgs/:inpo/merge/targets': () => ({ query: { target: 'Организация' } }),
  'GET /orgs/:inpo/merge': none,
  'POST /orgs/:inpo/merge': (p) => ({ body: { target: p.otherInpo, on: ON, confirm: '' } }),
  'GET /orgs/:inpo/liquidate': none,
  'POST /orgs/:inpo/liquidate': (p) => ({ body: { on: ON, transferTo: p.otherInpo, confirm: '' } }),
  'GET /orgs/:inpo/reports': none,
  'GET /admin/professional-groups': none,
  // the monitoring of a subtree on a date, and the statistical report's declared figures
  'GET /orgs/:inpo/monitoring': () => ({ query: { on: ON } }),
  'GET /orgs/:inpo/monitoring.xlsx': () => ({ query: { on: ON } }),
  'GET /orgs/:inpo/monitoring/declared': none,
  'POST /orgs/:inpo/monitoring/declared': () => ({
    body: {
      onDate: ON,
      membersTotal: '120',
      working: '100',
      student: '10',
      pensioner: '5',
      unemployed: '5',
      territorialOrgs: '',
      primaryOrgs: '3',
    },
  }),
  'GET /orgs/:inpo/monitoring/import': none,
  'GET /orgs/:inpo/monitoring/import/template.xlsx': none,
  'POST /orgs/:inpo/monitoring/import': none,
  'GET /orgs/:inpo/analytics': () => ({ query: ANALYTICS_CROSS }),
  'GET /orgs/:inpo/analytics/export.xlsx': () => ({ query: ANALYTICS_CROSS }),
  'GET /orgs/:inpo/analytics/series': () => ({ query: ANALYTICS_SERIES }),
  'GET /orgs/:inpo/analytics/series/export.xlsx': () => ({ query: ANALYTICS_SERIES }),
  'GET /orgs/:inpo/reports/open': (p) => ({ query: { form: p.form, date: p.date } }),
  'GET /reports/:form/:inpo/:file': () => ({ query: { version: '1', source: 'live', children: '1' } }),
  'GET /reports/:form/:inpo/:date/compare': none,
  'GET /orgs/:inpo/reports/board': (p) => ({ query: { form: p.form, date: p.date } }),
  'GET /reports/:form/:inpo/:date/versions': () => ({ query: { a: '1', b: '1' } }),
  'POST /reports/:form/:inpo/:date/file': none,
  'POST /reports/:form/:inpo/:date/accept': none,
  'POST /reports/:form/:inpo/:date/return': () => ({ body: { comment: 'Уточните строку 04' } }),
  'POST /reports/:form/:inpo/:date/reopen': () => ({ body: { comment: 'Открыто для исправления' } }),
  'GET /admin/forms': none,
  // the union's document templates (issue 20, item 3): an upload names a kind and blocks; documents read nothing
  'GET /admin/templates': none,
  'GET /admin/templates/:templateId': none,
  'POST /admin/templates': () => ({ body: { body: '{"kind": "consent", "title": "Согласие", "blocks": []}' } }),
  'GET /members/:id/documents/:memberDocument': none,
  'GET /orgs/:inpo/applications/:applicationId/documents/:applicationDocument': none,
  'GET /orgs/:inpo/documents/:orgDocument': none,
  'GET /admin/forms/:formVersionId': (p) => ({ query: { inpo: p.inpo, date: p.date } }),
  'POST /admin/forms': () => ({ body: { definition: '{"code": "5-SP"}' } }),
  'POST /admin/forms/:formVersionId/activate': none,
  'GET /login/code': none,
  'POST /login/code': () => ({ body: { code: '123456' } }),
  'GET /account': none,
  'GET /account/second-factor': none,
  // a code the enrolment's secret is all but certain to refuse, and a wrong password: the admin stays as it is
  'POST /account/second-factor': () => ({ body: { code: '123456' } }),
  'POST /account/second-factor/reset': () => ({ body: { currentPassword: 'not the password' } }),
  'POST /account/sessions/:handle/end': none,
  'POST /admin/users/:userId/totp-reset': none,
  'GET /admin/audit': (p) => ({ query: { ...AUDIT_FILTER(p), after: '12' } }),
  'GET /admin/audit/export.xlsx': (p) => ({ query: AUDIT_FILTER(p) }),
  'GET /members/:id/journal': none,
  'GET /card/:token': none,
  'GET /card/:token/qr.svg': none,
  'GET /orgs/:inpo/mailings': () => ({ query: { before: '' } }),
  'GET /orgs/:inpo/mailings/new': none,
  // a preview (the fuzzer's spoils may turn it into a test letter or a mailing: its admin has no e-mail)
  'POST /orgs/:inpo/mailings': () => ({
    body: {
      subject: 'Собрание',
      body: 'Коллеги, **собрание** в пятницу: https://eseur.ru',
      target: 'activists',
      category: 'working',
      sex: 'f',
      pedagogical: 'yes',
      age: '35-50',
      tenure: '10-plus',
      card: '',
      kind: 'school',
      posts: ['chair', 'deputy'],
      levels: ['primary'],
      step: 'preview',
    },
  }),
  'GET /orgs/:inpo/mailings/:mailingId': () => ({ query: { failedAfter: '' } }),
  // the document library: a search with every filter; the upload form's fields without a file (refused: 422),
  // the same fields saved over the fixture's document (issued by the ППО, visible to everyone)
  'GET /library': () => ({
    query: { q: 'коллективного договора', category: 'normative', status: 'in_force', tag: 'образцы', page: '1' },
  }),
  'GET /library/new': none,
  'POST /library': (p) => ({ body: LIBRARY_DOCUMENT(p) }),
  'GET /library/:docId': none,
  'GET /library/:docId/edit': none,
  'POST /library/:docId': (p) => ({ body: LIBRARY_DOCUMENT(p) }),
  'POST /library/:docId/versions': none,
  'GET /library/:docId/file': none,
  'GET /library/:docId/versions/:versionNo': none,
  // officers' personnel files: every section's form with good values, saved as a new row and over the fixture's
  ...officerFileFields(),
  'GET /orgs/:inpo/officers/:postId': none,
  'POST /orgs/:inpo/officers/:postId/notes': () => ({ body: { notes: 'Рекомендована в резерв' } }),
  'POST /orgs/:inpo/officers/:postId/documents': () => ({ body: { title: 'Удостоверение' } }),
  'GET /orgs/:inpo/officers/:postId/documents/:documentId': none,
  'POST /orgs/:inpo/officers/:postId/documents/:documentId/delete': none,
  'GET /orgs/:inpo/surveys': none,
  'GET /orgs/:inpo/surveys/new': none,
  'POST /orgs/:inpo/surveys': () => ({ body: SURVEY_FORM }),
  'GET /orgs/:inpo/surveys/:surveyId': none,
  'GET /orgs/:inpo/surveys/:surveyId/edit': none,
  // the fixture's survey as it is, with an option appended (what a published survey may take)
  'POST /orgs/:inpo/surveys/:surveyId': () => ({ body: SURVEY_FORM }),
  'POST /orgs/:inpo/surveys/:surveyId/publish': none,
  'POST /orgs/:inpo/surveys/:surveyId/copy': none,
  'GET /orgs/:inpo/surveys/:surveyId/results.xlsx': none,
  'GET /orgs/:inpo/surveys/:surveyId/answer': none,
  'POST /orgs/:inpo/surveys/:surveyId/answer': () => ({
    body: { step: 'draft', q_agreement: 'Нет', q_why: 'Не успели', q_meetings: '3,5', q_held: '12.03.2026' },
  }),
  'GET /orgs/:inpo/campaigns': none,
  'GET /orgs/:inpo/campaigns/new': none,
  'POST /orgs/:inpo/campaigns': () => ({
    body: {
      name: 'Отчёты и выборы 2026',
      startsOn: '2026-01-01',
      endsOn: '2026-12-31',
      levels: ['primary', 'territorial'],
      deadline_regional: '',
      deadline_okrug: '',
      deadline_territorial: '2026-11-01',
      deadline_primary: '2026-10-01',
      deadline_subdivision: '',
    },
  }),
  'GET /orgs/:inpo/campaigns/:campaignId': () => ({ query: { on: ON } }),
  'GET /orgs/:inpo/campaigns/:campaignId/tasks': () => ({ query: { on: ON, state: 'overdue', level: 'primary' } }),
  'GET /orgs/:inpo/campaigns/:campaignId/task': () => ({ query: { q: 'Петрова' } }),
  'POST /orgs/:inpo/campaigns/:campaignId/result': (p) => ({
    body: {
      q: 'Петрова',
      bodyKind: 'meeting',
      heldOn: ON,
      protocolNumber: '4',
      protocolDate: ON,
      personKind: 'member',
      memberId: p.memberId,
      snils: '',
      surname: '',
      name: '',
      patronymic: '',
      sex: '',
      birthDate: '',
      committeeIds: p.spareMemberIds.slice(0, 2).map(String),
    },
  }),
  'POST /orgs/:inpo/campaigns/:campaignId/postpone': () => ({
    body: { reason: 'Карантин', postponedTo: '2026-12-20' },
  }),
  'GET /admin/term-rules': none,
  'POST /admin/term-rules': () => ({ body: TERM_RULES }),
  'GET /me/surveys/:surveyId': none,
  'POST /me/surveys/:surveyId': () => ({ body: { q_agreement: 'Да', q_meetings: '3', q_held: '12.03.2026' } }),
  // a meeting of the ППО, open, with a remote link (route-fixture.ts); the fixture's cards are not issued, so a
  // scan is refused; closing it is the last of its routes in the matrix
  'GET /orgs/:inpo/meetings': () => ({ query: { from: '2026-01-01', to: '2026-12-31' } }),
  'GET /orgs/:inpo/meetings/new': none,
  'POST /orgs/:inpo/meetings': () => ({
    body: {
      body: 'committee',
      heldOn: '2026-05-15',
      startsAt: '15:30',
      place: 'Учительская',
      remoteUrl: 'https://meet.example.ru/profkom',
      participants: 'invited',
      quorum: 'percent',
      quorumPercent: '60',
      agenda: 'О плане работы\nРазное',
    },
  }),
  'GET /orgs/:inpo/meetings/:meetingId': () => ({ query: { page: '2' } }),
  'GET /orgs/:inpo/meetings/:meetingId/minutes.pdf': none,
  'GET /orgs/:inpo/meetings/:meetingId/quorum': none,
  'GET /orgs/:inpo/meetings/:meetingId/attendance': () => ({ query: { q: 'Петрова' } }),
  // the edit keeps the fixture's date, quorum and participants (fixed once it is open), with an agenda line more
  'GET /orgs/:inpo/meetings/:meetingId/edit': none,
  'POST /orgs/:inpo/meetings/:meetingId/edit': () => ({
    body: {
      body: 'general',
      heldOn: todayIso(),
      startsAt: '16:00',
      place: 'Актовый зал',
      remoteUrl: 'https://meet.example.ru/ppo',
      participants: 'members',
      quorum: 'half',
      quorumPercent: '',
      agenda: 'О плане работы\nРазное\nО смотре-конкурсе',
    },
  }),
  'POST /orgs/:inpo/meetings/:meetingId/cancel': () => ({ body: { reason: 'Нет кворума: перенос на весну' } }),
  'POST /orgs/:inpo/meetings/:meetingId/invite': (p) => ({ body: { numbers: `T-${p.memberId}` } }),
  'POST /orgs/:inpo/meetings/:meetingId/open': none,
  'POST /orgs/:inpo/meetings/:meetingId/attendance': (p) => ({ body: { scan: `T-${p.memberId}` } }),
  'POST /orgs/:inpo/meetings/:meetingId/attendance/manual': (p) => ({
    body: { memberId: p.memberId, reason: 'Билет не выдан, паспорт предъявлен' },
  }),
  'POST /orgs/:inpo/meetings/:meetingId/remote-links': none,
  'POST /orgs/:inpo/meetings/:meetingId/decision': () => ({
    body: { item: '1', decision: 'Утвердить план работы', votesFor: '3', votesAgainst: '0', votesAbstained: '1' },
  }),
  'POST /orgs/:inpo/meetings/:meetingId/close': () => ({ body: { minutesNumber: '5' } }),
  'POST /orgs/:inpo/meetings/:meetingId/membership-events': (p) => ({ body: { events: p.admissionEventId } }),
  'GET /meeting-link/:token': none,
  'POST /meeting-link/:token': () => ({ body: { code: '123456' } }),
  'GET /orgs/:inpo/card-check': none,
  'POST /orgs/:inpo/card-check': (p) => ({ body: { numbers: `T-${p.memberId}\n1600000001` } }),
  // the member's personal account: the fuzzing admin has no card, so these reach the account's refusal
  'GET /me': none,
  'GET /me/corrections': none,
  'GET /me/leave': none,
  'GET /me/data.json': none,
  'GET /me/data.pdf': none,
  'POST /me/consents': () => ({ body: { kind: 'mailing', channel: 'email' } }),
  'POST /me/consents/withdraw': (p) => ({ body: { consentId: p.consentId } }),
  'POST /me/corrections': () => ({
    body: {
      surname: 'Сидорова',
      name: 'Анна',
      patronymic: 'Петровна',
      nameReason: 'вступление в брак',
      phone: '+7 843 123-45-67',
      email: 'anna@example.ru',
      category: 'working',
      position: 'Учитель',
      professionalGroup: 'Педагогические работники',
    },
  }),
  'POST /me/leave': () => ({ body: { reason: 'переезд', on: ON } }),
  'GET /orgs/:inpo/corrections': none,
  // no request of the fixture has this id: the decision finds nothing (404)
  'POST /orgs/:inpo/corrections': () => ({
    body: { requestId: '999999', decision: 'reject', reason: 'нет документа' },
  }),
  // Online admission: the application form's stamp is signed by the app, so a made-up one is refused (422)
  // like a script's; the queue's `:applicationId` names no application of the fixture (404).
  'GET /join': (p) => ({ query: { q: 'школа', at: p.inpo } }),
  'GET /join/:inpo': none,
  'GET /join/:inpo/sent': none,
  'GET /join/:inpo/print': none,
  'GET /join/:inpo/qr.svg': none,
  'POST /join/:inpo': () => ({
    body: {
      formStamp: '1795950000000.not-signed',
      website: '',
      surname: PERSON.surname,
      name: PERSON.name,
      patronymic: PERSON.patronymic,
      sex: PERSON.sex,
      birthDate: PERSON.birthDate,
      email: PERSON.email,
      phone: PERSON.phone,
      snils: PERSON.snils,
      category: 'student',
      workplace: 'Казанский федеральный университет',
      position: '2 курс',
      consentProcessing: 'on',
      consentMailing: 'on',
    },
  }),
  'GET /join/confirm/:token': none,
  'POST /join/confirm/:token': none,
  'GET /orgs/:inpo/applications': () => ({ query: { after: '10' } }),
  'GET /orgs/:inpo/applications/:applicationId': none,
  'POST /orgs/:inpo/applications/:applicationId/accept': () => ({ body: { notDuplicate: 'on' } }),
  'POST /orgs/:inpo/applications/:applicationId/reject': () => ({ body: { reason: 'Не работает в организации' } }),
  'POST /orgs/:inpo/applications/:applicationId/transfer': none,
  'GET /forgot-password': none,
  'POST /forgot-password': () => ({ body: { username: 'nobody-here' } }),
  ...Object.fromEntries(
    ['/invite/:token', '/reset-password/:token'].flatMap((path) => [
      [`GET ${path}`, none],
      [
        `POST ${path}`,
        () => ({
          body: { username: '', password: 'новая фраза для входа 2026', confirmPassword: 'новая фраза для входа 2026' },
        }),
      ],
    ]),
  ),
  'GET /unsubscribe/:token': none,
  'POST /unsubscribe/:token': () => ({ body: { 'List-Unsubscribe': 'One-Click' } }),
  'GET /admin/users': (p) => ({ query: { q: 'user', inpo: p.inpo, role: 'chair', status: 'active', after: '' } }),
  'GET /admin/users/new': none,
  'POST /admin/users': (p) => ({
    body: {
      fullName: 'Иванова Ольга Петровна',
      username: 'olga.ivanova',
      email: 'olga@example.ru',
      role: 'chair',
      inpo: p.inpo,
      validUntil: '',
    },
  }),
  'GET /admin/users/:userId': none,
  'GET /admin/users/:userId/edit': none,
  'POST /admin/users/:userId/edit': () => ({ body: { fullName: 'Иванова Ольга Петровна', email: 'olga@example.ru' } }),
  'POST /admin/users/:userId/block': none,
  'POST /admin/users/:userId/unblock': none,
  'POST /admin/users/:userId/delete': none,
  'POST /admin/users/:userId/invite': none,
  'POST /admin/users/:userId/grants': (p) => ({
    body: { role: 'statistician', inpo: p.inpo, validUntil: '31.12.2030' },
  }),
  'POST /admin/users/:userId/grants/:grantId/revoke': none,
  'GET /admin/chairs': none,
  'GET /orgs/:inpo/chairs': () => ({ query: { status: 'ready', after: '' } }),
  'POST /orgs/:inpo/chairs/provision': none,
  'GET /orgs/:inpo/chairs/export.xlsx': none,
  'GET /admin/mail': () => ({ query: { to: 'someone@example.ru', status: 'undelivered', before: '' } }),
  'GET /admin/mail/:messageId': none,
  'POST /admin/mail/:messageId/resend': none,
  'GET /notifications': none,
  'POST /notifications/read': none,
  'GET /account/notifications': none,
  'POST /account/notifications': () => ({
    body: {
      report_returned: 'email',
      report_accepted: 'app',
      report_filed: 'none',
      survey_published: 'app',
      campaign_declared: 'app',
      campaign_due: 'email',
      campaign_overdue: 'email',
      filing_due: 'email',
      filing_overdue: 'email',
      transfer_received: 'email',
      transfer_decided: 'app',
      export_finished: 'app',
      chair_term_ending: 'email',
      application_waiting: 'email',
      member_request_received: 'email',
      member_request_decided: 'app',
    },
  }),
  'POST /admin/mail/jobs/retry': () => ({ body: { queue: 'housekeeping', id: '' } }),
  // personal access tokens of the API (the fixture's user has none to revoke: 404)
  'POST /account/api-tokens': () => ({
    body: { tokenName: 'Сайт ППО', scopes: ['orgs:read', 'members:read'], days: '90' },
  }),
  'POST /account/api-tokens/:tokenId/revoke': none,
  // the JSON API: public document, reference page and sign-in; the rest answers a session with 401 before
  // reading anything (api.test.ts fuzzes nothing more: its schemas are checked there with bearer tokens)
  'GET /api/v1/openapi.json': none,
  'GET /api/v1/docs': none,
  'POST /api/v1/sessions': () => ({ body: { username: 'nobody-here', password: 'wrong-password' } }),
  // an application as the app sends it (form-encoded here, as the fuzzer sends every body). The e-mail is new on
  // every request (a getter, read as the fuzzer copies the body): the per-e-mail limit, 3 a day, would refuse
  // the fourth valid one after the address's hit was counted, a write of a refusal the fuzzer is right to flag.
  'POST /api/v1/applications': (p) => {
    let n = 0;
    return {
      body: {
        organizationInpo: p.inpo,
        surname: PERSON.surname,
        name: PERSON.name,
        patronymic: PERSON.patronymic,
        sex: PERSON.sex,
        birthDate: PERSON.birthDate,
        get email() {
          return `app.applicant${n++}@example.ru`;
        },
        phone: PERSON.phone,
        snils: PERSON.snils,
        category: 'student',
        workplace: 'Казанский федеральный университет',
        position: '2 курс',
        consentProcessing: 'true',
        consentMailing: 'false',
      },
    };
  },
  'GET /api/v1/me': none,
  'GET /api/v1/me/card': none,
  'GET /api/v1/me/history': none,
  'GET /api/v1/orgs/:inpo': none,
  'GET /api/v1/orgs/:inpo/children': () => ({ query: { page: '1' } }),
  'GET /api/v1/orgs/:inpo/members': () => ({
    query: { ...MEMBER_FILTER, on: ON, card: 'produced', limit: '20', after: '' },
  }),
  'GET /api/v1/orgs/:inpo/reports/:form': () => ({ query: { on: ON } }),
  'GET /api/v1/members/:id': none,
  'POST /logout': none,
  // the drafts keep what the forms above send (the general form's version fields as strings, unchecked)
  'POST /orgs/:inpo/members/new/draft': (p) => ({
    body: {
      ...PERSON,
      category: 'working',
      isPedagogical: 'on',
      organizationInpo: p.inpo,
      joinedOn: ON,
      sentWith: '00000000-0000-4000-8000-000000000000',
    },
  }),
  'POST /orgs/:inpo/members/new/draft/discard': none,
  'POST /orgs/:inpo/edit/draft': () => ({
    body: { name: 'ППО школы № 1', shortName: 'ППО № 1', address: 'Казань', version: '1', base: '' },
  }),
  'POST /orgs/:inpo/edit/draft/discard': none,
};

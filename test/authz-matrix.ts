// The authorization matrix: every route with the status each role gets for a target
// inside its subtree and outside it. test/integration/authz-matrix.test.ts fails when the router has a
// route that is not listed here, and calls every route as every role.
//
// Fixture: union → regions R1 and R2, each → territory → ППО. Users: admin on the union; coordinator and
// statistician on R1; chair and member on the ППО of R1. "inside" targets the ППО of R1, "outside" the
// ППО of R2 (and a member card in each). `null` = not applicable (the admin's subtree is the whole union).
// The curator (read-only) holds R1 like the coordinator: it reads and downloads what the coordinator does
// and is refused (403) every change.
import type { Role } from '../src/access/roles';

export type Subject = 'anonymous' | Role;
export type Statuses = Record<Subject, number>;

export interface MatrixEntry {
  method: 'GET' | 'POST';
  path: string;
  /** A form body that drives the route to a deterministic answer. */
  body?: Record<string, string>;
  inside: Statuses;
  /** Present for routes that address an object of the tree. */
  outside?: Record<Subject, number | null>;
  /** The call ends the caller's session: run it last. */
  endsSession?: boolean;
}

const all = (status: number): Statuses => ({
  anonymous: status,
  admin: status,
  coordinator: status,
  curator: status,
  chair: status,
  statistician: status,
  member: status,
});
const loggedIn = (anonymous: number, status: number): Statuses => ({ ...all(status), anonymous });
/** Passport pages: every role but the member's personal account reads them. */
const readers = (anonymous: number): Statuses => ({
  anonymous,
  admin: 200,
  coordinator: 200,
  curator: 200,
  chair: 200,
  statistician: 200,
  member: 403,
});
/** Passport forms: admins, coordinators and the chair of the organization; statisticians only read. */
const editors = (anonymous: number, ok: number): Statuses => ({
  anonymous,
  admin: ok,
  coordinator: ok,
  curator: 403,
  chair: ok,
  statistician: 403,
  member: 403,
});
const restructurers = (anonymous: number, ok: number): Statuses => ({
  anonymous,
  admin: ok,
  coordinator: ok,
  curator: 403,
  chair: 403,
  statistician: 403,
  member: 403,
});
/** The users section: the federal admin and coordinators; for the other roles it does not exist. */
const managers = (anonymous: number, ok: number): Statuses => ({ ...all(404), anonymous, admin: ok, coordinator: ok });
/** Any object of another region: 404 for everyone who is logged in (the admin's subtree has no outside). */
const outsideOf = (anonymous: number): Record<Subject, number | null> => ({
  anonymous,
  admin: null,
  coordinator: 404,
  curator: 404,
  chair: 404,
  statistician: 404,
  member: 404,
});

/** The personnel file's sections and their rows' URL parameters (src/officers/sections.ts). */
const OFFICER_FILE_SECTIONS = [
  ['education', 'educationId'],
  ['experience', 'experienceId'],
  ['trainings', 'trainingId'],
  ['awards', 'awardId'],
  ['reserve', 'reserveId'],
] as const;

export const AUTHZ_MATRIX: MatrixEntry[] = [
  { method: 'GET', path: '/healthz', inside: all(200) },
  { method: 'GET', path: '/help', inside: all(200) },
  { method: 'GET', path: '/readyz', inside: all(200) },
  { method: 'GET', path: '/favicon.ico', inside: all(302) },
  { method: 'GET', path: '/login', inside: loggedIn(200, 303) },
  { method: 'POST', path: '/login', body: { username: 'nobody-here', password: 'wrong-password' }, inside: all(401) },
  { method: 'GET', path: '/account/password', inside: loggedIn(303, 200) },
  { method: 'POST', path: '/account/password', body: {}, inside: loggedIn(401, 422) },
  { method: 'GET', path: '/', inside: loggedIn(303, 200) },
  ...[
    '/orgs/:inpo',
    '/orgs/:inpo/officers',
    '/orgs/:inpo/headcount',
    '/orgs/:inpo/structure',
    '/orgs/:inpo/agreement',
    '/orgs/:inpo/search',
    '/orgs/:inpo/monitoring',
    '/orgs/:inpo/monitoring.xlsx',
  ].map((path): MatrixEntry => ({ method: 'GET', path, inside: readers(303), outside: outsideOf(303) })),
  ...[
    '/orgs/:inpo/edit',
    '/orgs/:inpo/officers/new',
    '/orgs/:inpo/officers/:officerId/person',
    '/orgs/:inpo/agreement/edit',
    '/orgs/:inpo/history',
    '/orgs/:inpo/children/new',
    '/orgs/:inpo/monitoring/declared',
  ].map((path): MatrixEntry => ({ method: 'GET', path, inside: editors(303, 200), outside: outsideOf(303) })),
  // An empty form: allowed editors reach validation (422), everyone else is stopped before it.
  ...[
    '/orgs/:inpo/edit',
    '/orgs/:inpo/officers',
    '/orgs/:inpo/officers/:officerId/end',
    '/orgs/:inpo/officers/:officerId/person',
    '/orgs/:inpo/headcount',
    '/orgs/:inpo/agreement',
    '/orgs/:inpo/agreement/annexes',
    '/orgs/:inpo/children',
    '/orgs/:inpo/monitoring/declared',
  ].map((path): MatrixEntry => ({
    method: 'POST',
    path,
    body: {},
    inside: editors(401, 422),
    outside: outsideOf(401),
  })),
  {
    method: 'GET',
    path: '/orgs/:inpo/export.xlsx',
    inside: { anonymous: 303, admin: 200, coordinator: 200, curator: 200, chair: 403, statistician: 200, member: 403 },
    outside: outsideOf(303),
  },
  { method: 'GET', path: '/orgs/:inpo/import', inside: restructurers(303, 200), outside: outsideOf(303) },
  { method: 'GET', path: '/orgs/:inpo/import/template.xlsx', inside: restructurers(303, 200), outside: outsideOf(303) },
  // Without a file: allowed users get «choose a file» (422).
  { method: 'POST', path: '/orgs/:inpo/import', body: {}, inside: restructurers(401, 422), outside: outsideOf(401) },
  // The declared figures' import (monitoring): the same people as the organizations' import.
  { method: 'GET', path: '/orgs/:inpo/monitoring/import', inside: restructurers(303, 200), outside: outsideOf(303) },
  {
    method: 'GET',
    path: '/orgs/:inpo/monitoring/import/template.xlsx',
    inside: restructurers(303, 200),
    outside: outsideOf(303),
  },
  {
    method: 'POST',
    path: '/orgs/:inpo/monitoring/import',
    body: {},
    inside: restructurers(401, 422),
    outside: outsideOf(401),
  },
  // Member cards and lists: personal data, so not for statisticians; the member account sees only its own card.
  ...[
    '/orgs/:inpo/members/new',
    '/members/:id/edit',
    '/orgs/:inpo/members/import',
    '/orgs/:inpo/members/import/template.xlsx',
    '/orgs/:inpo/members/duplicates',
    '/orgs/:inpo/transfer-requests',
  ].map((path): MatrixEntry => ({ method: 'GET', path, inside: editors(303, 200), outside: outsideOf(303) })),
  // Reading and downloading: the curator too.
  ...[
    '/orgs/:inpo/members',
    '/members/:id',
    '/members/:id/application',
    '/orgs/:inpo/cards',
    '/orgs/:inpo/members/export.xlsx',
    '/orgs/:inpo/members/export.csv',
  ].map((path): MatrixEntry => ({
    method: 'GET',
    path,
    inside: { ...editors(303, 200), curator: 200 },
    outside: outsideOf(303),
  })),
  ...[
    '/orgs/:inpo/members',
    '/members/:id/edit',
    '/members/:id/transfer',
    '/members/:id/exit',
    '/members/:id/category',
    '/members/:id/cards',
    '/members/:id/cards/move',
    '/orgs/:inpo/cards/batch',
    '/members/:id/consents',
    '/members/:id/consents/withdraw',
    '/orgs/:inpo/members/import',
    '/members/:id/readmit',
    '/members/:id/merge',
  ].map((path): MatrixEntry => ({
    method: 'POST',
    path,
    body: {},
    inside: editors(401, 422),
    outside: outsideOf(401),
  })),
  // The bulk form returns to the list with the outcome (for an empty form: what is missing) as a message.
  { method: 'POST', path: '/orgs/:inpo/members/bulk', body: {}, inside: editors(401, 303), outside: outsideOf(401) },
  // Deciding a transfer request: the request id is checked against the receiving organization (none exists here).
  { method: 'POST', path: '/transfer-requests/:id/decide', body: { decision: 'accept' }, inside: loggedIn(401, 404) },
  // A background export: queued by anyone who may read the members; progress and file for the requester only.
  {
    method: 'POST',
    path: '/orgs/:inpo/members/export-jobs',
    body: {},
    inside: { ...editors(401, 303), curator: 303 },
    outside: outsideOf(401),
  },
  { method: 'GET', path: '/exports/:id', inside: loggedIn(303, 404) },
  { method: 'GET', path: '/exports/:id/download', inside: loggedIn(303, 404) },
  // An import's error report belongs to whoever ran the import: nobody else finds it.
  { method: 'GET', path: '/imports/:id/errors.csv', inside: loggedIn(303, 404) },
  // Restructuring: coordinators and admins only.
  ...['/orgs/:inpo/move', '/orgs/:inpo/merge', '/orgs/:inpo/liquidate'].flatMap((path): MatrixEntry[] => [
    { method: 'GET', path, inside: restructurers(303, 200), outside: outsideOf(303) },
    { method: 'POST', path, body: {}, inside: restructurers(401, 422), outside: outsideOf(401) },
  ]),
  ...['/orgs/:inpo/move/targets', '/orgs/:inpo/merge/targets'].map((path): MatrixEntry => ({
    method: 'GET',
    path,
    inside: restructurers(303, 200),
    outside: outsideOf(303),
  })),
  // Statistical reports: read by everyone who reads the passport; `:date` of the POSTs is not a reporting
  // date, so an allowed caller reaches the check of the date (422) or finds no report to decide on (409).
  { method: 'GET', path: '/orgs/:inpo/reports', inside: readers(303), outside: outsideOf(303) },
  // Analytics of the subtree (issue 17): whoever reads its reports
  ...[
    '/orgs/:inpo/analytics',
    '/orgs/:inpo/analytics/export.xlsx',
    '/orgs/:inpo/analytics/series',
    '/orgs/:inpo/analytics/series/export.xlsx',
  ].map((path): MatrixEntry => ({ method: 'GET', path, inside: readers(303), outside: outsideOf(303) })),
  // Without ?form=&date= it returns to the reports page with a message.
  {
    method: 'GET',
    path: '/orgs/:inpo/reports/open',
    inside: { ...readers(303), admin: 303, coordinator: 303, curator: 303, chair: 303, statistician: 303 },
    outside: outsideOf(303),
  },
  { method: 'GET', path: '/reports/:form/:inpo/:file', inside: readers(303), outside: outsideOf(303) },
  { method: 'GET', path: '/reports/:form/:inpo/:date/compare', inside: readers(303), outside: outsideOf(303) },
  // A ППО consolidates nothing (no board) and a version comparison needs ?a=&b=.
  ...['/orgs/:inpo/reports/board', '/reports/:form/:inpo/:date/versions'].map((path): MatrixEntry => ({
    method: 'GET',
    path,
    inside: { anonymous: 303, admin: 404, coordinator: 404, curator: 404, chair: 404, statistician: 404, member: 403 },
    outside: outsideOf(303),
  })),
  {
    method: 'POST',
    path: '/reports/:form/:inpo/:date/file',
    body: {},
    inside: editors(401, 422),
    outside: outsideOf(401),
  },
  {
    method: 'POST',
    path: '/reports/:form/:inpo/:date/accept',
    body: {},
    inside: { anonymous: 401, admin: 409, coordinator: 409, curator: 403, chair: 403, statistician: 403, member: 403 },
    outside: outsideOf(401),
  },
  ...['/reports/:form/:inpo/:date/return', '/reports/:form/:inpo/:date/reopen'].map((path): MatrixEntry => ({
    method: 'POST',
    path,
    body: {},
    inside: { anonymous: 401, admin: 422, coordinator: 422, curator: 403, chair: 403, statistician: 403, member: 403 },
    outside: outsideOf(401),
  })),
  // Form definitions: the federal administrator only; for anyone else the union root is outside their subtree.
  { method: 'GET', path: '/admin/forms', inside: { ...all(404), anonymous: 303, admin: 200 } },
  // The professional groups' list and the typed values it did not match (issue 17): the federal administrator.
  { method: 'GET', path: '/admin/professional-groups', inside: { ...all(404), anonymous: 303, admin: 200 } },
  { method: 'GET', path: '/admin/forms/:formVersionId', inside: { ...all(404), anonymous: 303, admin: 200 } },
  // The union's document templates (issue 20, item 3): the federal administrator uploads versions; an empty upload is 422.
  { method: 'GET', path: '/admin/templates', inside: { ...all(404), anonymous: 303, admin: 200 } },
  { method: 'GET', path: '/admin/templates/:templateId', inside: { ...all(404), anonymous: 303, admin: 200 } },
  { method: 'POST', path: '/admin/templates', body: {}, inside: { ...all(404), anonymous: 401, admin: 422 } },
  // Documents generated from the templates: a member card's like the printable application (personal data, the
  // curator reads it too), an online applicant's like the queue (none has the id of the URL: 404), the
  // organization's registration card like its passport.
  {
    method: 'GET',
    path: '/members/:id/documents/:memberDocument',
    inside: { ...editors(303, 200), curator: 200 },
    outside: outsideOf(303),
  },
  {
    method: 'GET',
    path: '/orgs/:inpo/applications/:applicationId/documents/:applicationDocument',
    inside: editors(303, 404),
    outside: outsideOf(303),
  },
  { method: 'GET', path: '/orgs/:inpo/documents/:orgDocument', inside: readers(303), outside: outsideOf(303) },
  { method: 'POST', path: '/admin/forms', body: {}, inside: { ...all(404), anonymous: 401, admin: 422 } },
  // Version 1 of every default form is already active.
  {
    method: 'POST',
    path: '/admin/forms/:formVersionId/activate',
    body: {},
    inside: { ...all(404), anonymous: 401, admin: 409 },
  },
  // The login's code step: without a password step waiting for it, back to the login form (anonymous) or home.
  { method: 'GET', path: '/login/code', inside: all(303) },
  { method: 'POST', path: '/login/code', body: { code: '123456' }, inside: all(303) },
  // The own account: every user's own record, nothing of anyone else's (a session handle of nobody is not found).
  { method: 'GET', path: '/account', inside: loggedIn(303, 200) },
  { method: 'GET', path: '/account/second-factor', inside: loggedIn(303, 200) },
  { method: 'POST', path: '/account/second-factor', body: {}, inside: loggedIn(401, 422) },
  { method: 'POST', path: '/account/second-factor/reset', body: {}, inside: loggedIn(401, 422) },
  { method: 'POST', path: '/account/sessions/:handle/end', inside: loggedIn(401, 404) },
  // The member's personal account (issue 18, item 3): the signed-in person's own card only. The fixture's
  // logins are linked to no card, so for each of them the account does not exist (member-account.test.ts
  // signs in members with cards).
  ...['/me', '/me/corrections', '/me/leave', '/me/data.json', '/me/data.pdf'].map((path): MatrixEntry => ({
    method: 'GET',
    path,
    inside: loggedIn(303, 404),
  })),
  ...['/me/consents', '/me/consents/withdraw', '/me/corrections', '/me/leave'].map((path): MatrixEntry => ({
    method: 'POST',
    path,
    body: {},
    inside: loggedIn(401, 404),
  })),
  // Members' corrections and requests to leave: decided by whoever edits the cards (an empty form: 422).
  { method: 'GET', path: '/orgs/:inpo/corrections', inside: editors(303, 200), outside: outsideOf(303) },
  {
    method: 'POST',
    path: '/orgs/:inpo/corrections',
    body: {},
    inside: editors(401, 422),
    outside: outsideOf(401),
  },
  // An administrator resets the second factor of a user whose grants lie in their subtree ("inside": a chair of the ППО).
  {
    method: 'POST',
    path: '/admin/users/:userId/totp-reset',
    inside: { ...all(403), anonymous: 401, admin: 303 },
    outside: outsideOf(401),
  },
  // The audit log: federal admin all of it, a coordinator their subtree's; no one else.
  ...['/admin/audit', '/admin/audit/export.xlsx'].map((path): MatrixEntry => ({
    method: 'GET',
    path,
    inside: { ...all(403), anonymous: 303, admin: 200, coordinator: 200, curator: 200 },
  })),
  {
    method: 'GET',
    path: '/members/:id/journal',
    inside: { ...all(403), anonymous: 303, admin: 200, coordinator: 200, curator: 200 },
    outside: outsideOf(303),
  },
  // The union card check (issue 18, item 4): public by token, and its QR code's image (the fixture's token
  // names no card and is no uuid: 404); by numbers for whoever reads the members (an empty form: «enter the numbers», 422).
  { method: 'GET', path: '/card/:token', inside: all(404) },
  { method: 'GET', path: '/card/:token/qr.svg', inside: all(404) },
  {
    method: 'GET',
    path: '/orgs/:inpo/card-check',
    inside: { ...editors(303, 200), curator: 200 },
    outside: outsideOf(303),
  },
  {
    method: 'POST',
    path: '/orgs/:inpo/card-check',
    body: {},
    inside: { ...editors(401, 422), curator: 422 },
    outside: outsideOf(401),
  },
  // Meetings of the bodies (issue 21, item 3): whoever reads the members lists them, whoever edits the members
  // runs them (an empty form is 422); `:meetingId` names no meeting here (404 once the permission holds). A
  // personal link of a remote participant is public; the fixture's token opens nothing (404).
  {
    method: 'GET',
    path: '/orgs/:inpo/meetings',
    inside: { ...editors(303, 200), curator: 200 },
    outside: outsideOf(303),
  },
  { method: 'GET', path: '/orgs/:inpo/meetings/new', inside: editors(303, 200), outside: outsideOf(303) },
  { method: 'POST', path: '/orgs/:inpo/meetings', body: {}, inside: editors(401, 422), outside: outsideOf(401) },
  ...[
    '/orgs/:inpo/meetings/:meetingId',
    '/orgs/:inpo/meetings/:meetingId/minutes.pdf',
    '/orgs/:inpo/meetings/:meetingId/quorum',
  ].map((path): MatrixEntry => ({
    method: 'GET',
    path,
    inside: { ...editors(303, 404), curator: 404 },
    outside: outsideOf(303),
  })),
  ...['/orgs/:inpo/meetings/:meetingId/attendance', '/orgs/:inpo/meetings/:meetingId/edit'].map(
    (path): MatrixEntry => ({ method: 'GET', path, inside: editors(303, 404), outside: outsideOf(303) }),
  ),
  ...[
    'edit',
    'invite',
    'open',
    'attendance',
    'attendance/manual',
    'remote-links',
    'decision',
    'close',
    'membership-events',
    // after closing: the fixture's meeting, closed, refuses to be cancelled (409)
    'cancel',
  ].map((action): MatrixEntry => ({
    method: 'POST',
    path: `/orgs/:inpo/meetings/:meetingId/${action}`,
    body: {},
    inside: editors(401, 404),
    outside: outsideOf(401),
  })),
  { method: 'GET', path: '/meeting-link/:token', inside: all(404) },
  { method: 'POST', path: '/meeting-link/:token', body: {}, inside: all(404) },
  // Online admission (issue 18, items 1 and 2): /join is public (the ППО of R1 takes applications; an empty
  // form is refused: no signed fill time, 422; an unknown confirmation link is 404). The queue is for those
  // who admit members; `:applicationId` names no application (404).
  ...['/join', '/join/:inpo', '/join/:inpo/sent', '/join/:inpo/print', '/join/:inpo/qr.svg'].map(
    (path): MatrixEntry => ({ method: 'GET', path, inside: all(200) }),
  ),
  { method: 'POST', path: '/join/:inpo', body: {}, inside: all(422) },
  { method: 'GET', path: '/join/confirm/:token', inside: all(404) },
  { method: 'POST', path: '/join/confirm/:token', body: {}, inside: all(404) },
  { method: 'GET', path: '/orgs/:inpo/applications', inside: editors(303, 200), outside: outsideOf(303) },
  {
    method: 'GET',
    path: '/orgs/:inpo/applications/:applicationId',
    inside: editors(303, 404),
    outside: outsideOf(303),
  },
  ...['accept', 'reject', 'transfer'].map((action): MatrixEntry => ({
    method: 'POST',
    path: `/orgs/:inpo/applications/:applicationId/${action}`,
    body: {},
    inside: editors(401, 404),
    outside: outsideOf(401),
  })),
  // Mass mailings (issue #19): coordinators, curators, chairs and the admin, for their subtree; an empty form is
  // «enter the subject» (422); no mailing has the id of the URL (404).
  ...['/orgs/:inpo/mailings', '/orgs/:inpo/mailings/new'].map((path): MatrixEntry => ({
    method: 'GET',
    path,
    inside: { ...editors(303, 200), curator: 200 },
    outside: outsideOf(303),
  })),
  {
    method: 'POST',
    path: '/orgs/:inpo/mailings',
    body: {},
    inside: { ...editors(401, 422), curator: 422 },
    outside: outsideOf(401),
  },
  {
    method: 'GET',
    path: '/orgs/:inpo/mailings/:mailingId',
    inside: { ...editors(303, 404), curator: 404 },
    outside: outsideOf(303),
  },
  // Officers' personnel files (issue 21, item 1): the organization's readers read the file, its documents those
  // who see the person's card (not the statistician: 403); the admin and coordinators keep it (the chair of the
  // ППО does not keep their own organization's files: 403); an empty form is 422, a deletion asks for
  // confirmation first (200), the notes save even empty (303).
  { method: 'GET', path: '/orgs/:inpo/officers/:postId', inside: readers(303), outside: outsideOf(303) },
  {
    method: 'GET',
    path: '/orgs/:inpo/officers/:postId/documents/:documentId',
    inside: { ...readers(303), statistician: 403 },
    outside: outsideOf(303),
  },
  ...OFFICER_FILE_SECTIONS.flatMap(([section, param]): MatrixEntry[] => [
    ...[`/orgs/:inpo/officers/:postId/${section}/new`, `/orgs/:inpo/officers/:postId/${section}/:${param}`].map(
      (path): MatrixEntry => ({ method: 'GET', path, inside: restructurers(303, 200), outside: outsideOf(303) }),
    ),
    ...[`/orgs/:inpo/officers/:postId/${section}`, `/orgs/:inpo/officers/:postId/${section}/:${param}`].map(
      (path): MatrixEntry => ({
        method: 'POST',
        path,
        body: {},
        inside: restructurers(401, 422),
        outside: outsideOf(401),
      }),
    ),
    {
      method: 'POST',
      path: `/orgs/:inpo/officers/:postId/${section}/:${param}/delete`,
      body: {},
      inside: restructurers(401, 200),
      outside: outsideOf(401),
    },
  ]),
  {
    method: 'POST',
    path: '/orgs/:inpo/officers/:postId/notes',
    body: {},
    inside: restructurers(401, 303),
    outside: outsideOf(401),
  },
  {
    method: 'POST',
    path: '/orgs/:inpo/officers/:postId/documents',
    body: {},
    inside: restructurers(401, 422),
    outside: outsideOf(401),
  },
  {
    method: 'POST',
    path: '/orgs/:inpo/officers/:postId/documents/:documentId/delete',
    body: {},
    inside: restructurers(401, 200),
    outside: outsideOf(401),
  },
  // The document library (issue #20): every login reads what is visible to it; the admin and coordinators add
  // and change documents issued in their subtree (an empty form is 422), the rest are refused (403). `:docId`
  // inside is visible to R1 and issued by it; outside, visible to R2 only: 404, as if it did not exist.
  { method: 'GET', path: '/library', inside: loggedIn(303, 200) },
  { method: 'GET', path: '/library/new', inside: { ...all(403), anonymous: 303, admin: 200, coordinator: 200 } },
  { method: 'POST', path: '/library', body: {}, inside: { ...all(403), anonymous: 401, admin: 422, coordinator: 422 } },
  ...['/library/:docId', '/library/:docId/file', '/library/:docId/versions/:versionNo'].map((path): MatrixEntry => ({
    method: 'GET',
    path,
    inside: loggedIn(303, 200),
    outside: outsideOf(303),
  })),
  {
    method: 'GET',
    path: '/library/:docId/edit',
    inside: { ...all(403), anonymous: 303, admin: 200, coordinator: 200 },
    outside: outsideOf(303),
  },
  ...['/library/:docId', '/library/:docId/versions'].map((path): MatrixEntry => ({
    method: 'POST',
    path,
    body: {},
    inside: { ...all(403), anonymous: 401, admin: 422, coordinator: 422 },
    outside: outsideOf(401),
  })),
  // Surveys (issue #20 item 1): every reader lists them; coordinators and the admin build, change, publish and
  // copy them (an empty form is 422; the fixture's survey is published already: 409) and read the results with
  // the curator; only a grant on the organization itself answers for it (the chair of the ППО).
  { method: 'GET', path: '/orgs/:inpo/surveys', inside: readers(303), outside: outsideOf(303) },
  ...['/orgs/:inpo/surveys/new', '/orgs/:inpo/surveys/:surveyId/edit'].map((path): MatrixEntry => ({
    method: 'GET',
    path,
    inside: restructurers(303, 200),
    outside: outsideOf(303),
  })),
  ...[
    ['/orgs/:inpo/surveys', 422],
    ['/orgs/:inpo/surveys/:surveyId', 422],
    ['/orgs/:inpo/surveys/:surveyId/publish', 409],
    ['/orgs/:inpo/surveys/:surveyId/copy', 303],
  ].map(([path, ok]): MatrixEntry => ({
    method: 'POST',
    path: path as string,
    body: {},
    inside: restructurers(401, ok as number),
    outside: outsideOf(401),
  })),
  ...['/orgs/:inpo/surveys/:surveyId', '/orgs/:inpo/surveys/:surveyId/results.xlsx'].map((path): MatrixEntry => ({
    method: 'GET',
    path,
    inside: { ...restructurers(303, 200), curator: 200 },
    outside: outsideOf(303),
  })),
  {
    method: 'GET',
    path: '/orgs/:inpo/surveys/:surveyId/answer',
    inside: { ...all(403), anonymous: 303, chair: 200 },
    outside: outsideOf(303),
  },
  {
    method: 'POST',
    path: '/orgs/:inpo/surveys/:surveyId/answer',
    body: {},
    inside: { ...all(403), anonymous: 401, chair: 303 },
    outside: outsideOf(401),
  },
  // Report-and-election campaigns (issue 21 item 2): admins, coordinators, curators and chairs read them; only the
  // union and regions declare (a ППО: 404 for those who may declare); admins, coordinators and the ППО's chair
  // record a result or a postponement (an empty form: 422). The term rules are the federal administrator's.
  ...[
    '/orgs/:inpo/campaigns',
    '/orgs/:inpo/campaigns/:campaignId',
    '/orgs/:inpo/campaigns/:campaignId/tasks',
    '/orgs/:inpo/campaigns/:campaignId/task',
  ].map((path): MatrixEntry => ({
    method: 'GET',
    path,
    inside: { ...readers(303), statistician: 403 },
    outside: outsideOf(303),
  })),
  {
    method: 'GET',
    path: '/orgs/:inpo/campaigns/new',
    inside: restructurers(303, 404),
    outside: outsideOf(303),
  },
  {
    method: 'POST',
    path: '/orgs/:inpo/campaigns',
    body: {},
    inside: restructurers(401, 404),
    outside: outsideOf(401),
  },
  ...['/orgs/:inpo/campaigns/:campaignId/result', '/orgs/:inpo/campaigns/:campaignId/postpone'].map(
    (path): MatrixEntry => ({
      method: 'POST',
      path,
      body: {},
      inside: editors(401, 422),
      outside: outsideOf(401),
    }),
  ),
  { method: 'GET', path: '/admin/term-rules', inside: { ...all(404), anonymous: 303, admin: 200 } },
  { method: 'POST', path: '/admin/term-rules', body: {}, inside: { ...all(404), anonymous: 401, admin: 422 } },
  // Member polls answered from the personal account: only a member the poll was sent to finds it (the fixture's
  // survey goes to organizations, and no role's login here has a card): 404 for everyone logged in.
  { method: 'GET', path: '/me/surveys/:surveyId', inside: { ...all(404), anonymous: 303 } },
  { method: 'POST', path: '/me/surveys/:surveyId', body: {}, inside: { ...all(404), anonymous: 401 } },
  // Password links: public; an unknown token is the same «link no longer works» page (410) for everyone.
  { method: 'GET', path: '/forgot-password', inside: all(200) },
  { method: 'POST', path: '/forgot-password', body: {}, inside: all(422) },
  ...['/invite/:token', '/reset-password/:token'].flatMap((path): MatrixEntry[] => [
    { method: 'GET', path, inside: all(410) },
    { method: 'POST', path, body: {}, inside: all(410) },
  ]),
  // Unsubscribe links of letters to members: public, CSRF-exempt POST (RFC 8058); an unknown token is 404.
  { method: 'GET', path: '/unsubscribe/:token', inside: all(404) },
  { method: 'POST', path: '/unsubscribe/:token', body: { 'List-Unsubscribe': 'One-Click' }, inside: all(404) },
  // Users: the federal admin (all) and coordinators (users with grants in their subtree); for every other
  // role the section does not exist (404). `:userId` is a chair of the ППО (with an audit trail, so it is
  // never deleted), outside: a chair of R2.
  ...['/admin/users', '/admin/users/new'].map((path): MatrixEntry => ({
    method: 'GET',
    path,
    inside: managers(303, 200),
  })),
  { method: 'POST', path: '/admin/users', body: {}, inside: managers(401, 422) },
  ...['/admin/users/:userId', '/admin/users/:userId/edit'].map((path): MatrixEntry => ({
    method: 'GET',
    path,
    inside: managers(303, 200),
    outside: outsideOf(303),
  })),
  ...['/admin/users/:userId/edit', '/admin/users/:userId/grants'].map((path): MatrixEntry => ({
    method: 'POST',
    path,
    body: {},
    inside: managers(401, 422),
    outside: outsideOf(401),
  })),
  ...['/admin/users/:userId/block', '/admin/users/:userId/unblock', '/admin/users/:userId/invite'].map(
    (path): MatrixEntry => ({ method: 'POST', path, body: {}, inside: managers(401, 303), outside: outsideOf(401) }),
  ),
  {
    method: 'POST',
    path: '/admin/users/:userId/delete',
    body: {},
    inside: managers(401, 409),
    outside: outsideOf(401),
  },
  // `:grantId` is a grant of another user: revoking it through this user's page finds nothing (the real
  // revocations are in users-admin.test.ts, where they can end sessions without spoiling this fixture).
  { method: 'POST', path: '/admin/users/:userId/grants/:grantId/revoke', body: {}, inside: loggedIn(401, 404) },
  // Chairs' logins of a subtree: those who manage users there (the chair and the curator of it do not).
  { method: 'GET', path: '/admin/chairs', inside: managers(303, 303) },
  ...['/orgs/:inpo/chairs', '/orgs/:inpo/chairs/export.xlsx'].map((path): MatrixEntry => ({
    method: 'GET',
    path,
    inside: restructurers(303, 200),
    outside: outsideOf(303),
  })),
  {
    method: 'POST',
    path: '/orgs/:inpo/chairs/provision',
    body: {},
    inside: restructurers(401, 303),
    outside: outsideOf(401),
  },
  // The outbox: letters carry one-time links, so the federal administrator only.
  ...['/admin/mail', '/admin/mail/:messageId'].map((path): MatrixEntry => ({
    method: 'GET',
    path,
    inside: { ...all(404), anonymous: 303, admin: 200 },
  })),
  // Sending an undelivered letter again, retrying a failed job: the same page's buttons (the fixture's letter
  // is kept, not undelivered, and the form names no failed job: a flash says so).
  ...['/admin/mail/:messageId/resend', '/admin/mail/jobs/retry'].map((path): MatrixEntry => ({
    method: 'POST',
    path,
    inside: { ...all(404), anonymous: 401, admin: 303 },
  })),
  // Everyone's own notifications and their channels.
  { method: 'GET', path: '/notifications', inside: loggedIn(303, 200) },
  { method: 'POST', path: '/notifications/read', inside: loggedIn(401, 303) },
  { method: 'GET', path: '/account/notifications', inside: loggedIn(303, 200) },
  {
    method: 'POST',
    path: '/account/notifications',
    body: { report_returned: 'app' },
    inside: loggedIn(401, 422),
  },
  // A long form's server-side draft: whoever may open the form keeps (204) and discards (303) their own.
  ...['/orgs/:inpo/members/new', '/orgs/:inpo/edit'].flatMap((form): MatrixEntry[] => [
    { method: 'POST', path: `${form}/draft`, body: {}, inside: editors(401, 204), outside: outsideOf(401) },
    { method: 'POST', path: `${form}/draft/discard`, body: {}, inside: editors(401, 303), outside: outsideOf(401) },
  ]),
  // Personal access tokens of the API on the account page: an empty form (422); revoking a token that is not
  // the user's finds nothing (404).
  { method: 'POST', path: '/account/api-tokens', body: {}, inside: loggedIn(401, 422) },
  { method: 'POST', path: '/account/api-tokens/:tokenId/revoke', body: {}, inside: loggedIn(401, 404) },
  // The JSON API (issue 18, item 5): its document, reference page, the member app's sign-in and application are public
  // (an empty sign-in is 422); everything else takes a bearer token only — a session cookie is not accepted
  // (no CSRF there), so every role's session is 401. Tokens, scopes and subtrees: test/integration/api.test.ts.
  { method: 'GET', path: '/api/v1/openapi.json', inside: all(200) },
  { method: 'GET', path: '/api/v1/docs', inside: all(200) },
  { method: 'POST', path: '/api/v1/sessions', body: {}, inside: all(422) },
  // the app's admission application: public like /join (an applicant has no login), so an empty body is 422 for all
  { method: 'POST', path: '/api/v1/applications', body: {}, inside: all(422) },
  ...[
    '/api/v1/me',
    '/api/v1/me/card',
    '/api/v1/me/history',
    '/api/v1/orgs/:inpo',
    '/api/v1/orgs/:inpo/children',
    '/api/v1/orgs/:inpo/members',
    '/api/v1/orgs/:inpo/reports/:form',
    '/api/v1/members/:id',
  ].map((path): MatrixEntry => ({ method: 'GET', path, inside: all(401) })),
  { method: 'POST', path: '/logout', inside: loggedIn(401, 303), endsSession: true },
];

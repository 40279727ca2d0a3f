import type { Knex } from 'knex';
import { GAPS_SQL_INCOMPLETE, type PassportGaps } from './completeness';
import type { OfficerPost } from './officer-posts';
import { membersOnRecordQuery } from '../membership/member-counts.repo';
import type { OrgRow } from './org-row';

export interface OfficerRow {
  id: number;
  post: OfficerPost;
  surname: string;
  name: string;
  patronymic: string | null;
  memberId: number | null;
  /** a person outside the registry (by SNILS); neither this nor memberId: an officer recorded before officers were people */
  personId: number | null;
  electedOn: string;
  termUntil: string | null;
  salaried: boolean;
  protocolNumber: string | null;
  protocolDate: string | null;
  trainedOn: string | null;
  endedOn: string | null;
}

const OFFICER_COLUMNS = {
  id: 'id',
  post: 'post',
  surname: 'surname',
  name: 'name',
  patronymic: 'patronymic',
  memberId: 'member_id',
  personId: 'person_id',
  electedOn: 'elected_on',
  termUntil: 'term_until',
  salaried: 'salaried',
  protocolNumber: 'protocol_number',
  protocolDate: 'protocol_date',
  trainedOn: 'trained_on',
  endedOn: 'ended_on',
};

/**
 * The officer's names as the person has them now (a card or a non-member renamed since the election), for
 * a query that joins the officer as `f`, their card as `m` and their non-member person as `p`.
 */
export function currentOfficerNames(db: Knex, f = 'f', m = 'm', p = 'p') {
  const name = (column: string) =>
    db.raw(
      `CASE WHEN ${f}.member_id IS NULL AND ${f}.person_id IS NULL THEN ${f}.${column} ELSE coalesce(${m}.${column}, ${p}.${column}) END`,
    );
  return { surname: name('surname'), name: name('name'), patronymic: name('patronymic') };
}

/**
 * Whether the post `f` opens its person's personnel file (issue 21): a post held now — the officer's own
 * organizations, read from upward — or, for a person who holds none, the post that ended last. A post left by
 * someone who serves on (here or elsewhere) opens nothing: the organization an officer left reads their file no
 * more. A post typed before officers were people has no other post to yield to.
 */
export function officerOpensFile(db: Knex, f = 'f') {
  return db.raw(`(${f}.ended_on IS NULL OR (${f}.member_id IS NULL AND ${f}.person_id IS NULL) OR NOT EXISTS (
    SELECT 1 FROM org_officers later
     WHERE (later.member_id = ${f}.member_id OR later.person_id = ${f}.person_id) AND later.id <> ${f}.id
       AND (later.ended_on IS NULL
            OR (later.ended_on, later.elected_on, later.id) > (${f}.ended_on, ${f}.elected_on, ${f}.id))))`);
}

/** Current officers first (chair on top), then the history, newest first; `opensFile` as officerOpensFile says. */
export async function listOfficers(db: Knex, organizationId: number): Promise<(OfficerRow & { opensFile: boolean })[]> {
  return db('org_officers as f')
    .leftJoin('members as m', 'm.id', 'f.member_id')
    .leftJoin('persons as p', 'p.id', 'f.person_id')
    .where({ 'f.organization_id': organizationId })
    .orderByRaw(
      "f.ended_on IS NOT NULL, array_position(ARRAY['chair','group_organizer','deputy','presidium','committee','audit','commission','safety_rep','staff_specialist','staff_accountant','staff_legal_inspector','staff_safety_inspector','staff','volunteer_inspector'], f.post), f.elected_on DESC, f.id DESC",
    )
    .select({
      ...Object.fromEntries(Object.entries(OFFICER_COLUMNS).map(([key, column]) => [key, `f.${column}`])),
      ...currentOfficerNames(db),
      opensFile: officerOpensFile(db),
    });
}

/** One officer of the organization; `lock` keeps it from changing until the transaction ends. */
export async function findOfficer(
  db: Knex,
  organizationId: number,
  id: number,
  lock = false,
): Promise<OfficerRow | undefined> {
  const query = db('org_officers').where({ organization_id: organizationId, id });
  if (lock) query.forUpdate();
  return query.first(OFFICER_COLUMNS);
}

export interface HeadcountRow {
  id: number;
  asOf: string;
  employeesTotal: number;
  employeesPedagogical: number;
  studentsTotal: number;
  institutionsTotal: number | null;
  version: number;
}

const HEADCOUNT_COLUMNS = {
  id: 'id',
  asOf: 'as_of',
  employeesTotal: 'employees_total',
  employeesPedagogical: 'employees_pedagogical',
  studentsTotal: 'students_total',
  institutionsTotal: 'institutions_total',
  version: 'version',
};

export async function listHeadcounts(db: Knex, organizationId: number): Promise<HeadcountRow[]> {
  return db('org_headcounts')
    .where({ organization_id: organizationId })
    .orderBy('as_of', 'desc')
    .select(HEADCOUNT_COLUMNS);
}

/** The figure of one date, locked until the transaction ends. */
export async function lockHeadcount(
  trx: Knex.Transaction,
  organizationId: number,
  asOf: string,
): Promise<HeadcountRow | undefined> {
  return trx('org_headcounts')
    .where({ organization_id: organizationId, as_of: asOf })
    .forUpdate()
    .first(HEADCOUNT_COLUMNS);
}

export interface AgreementRow {
  status: 'active' | 'expired' | 'negotiating' | 'none';
  noneReason: string | null;
  signedOn: string | null;
  validFrom: string | null;
  validTo: string | null;
  registrationNumber: string | null;
  registrationDate: string | null;
  version: number;
}

/** The organization's agreement; `lock` keeps it from changing until the transaction ends. */
export async function findAgreement(db: Knex, organizationId: number, lock = false): Promise<AgreementRow | undefined> {
  const query = db('collective_agreements').where({ organization_id: organizationId });
  if (lock) query.forUpdate();
  return query.first({
    status: 'status',
    noneReason: 'none_reason',
    signedOn: 'signed_on',
    validFrom: 'valid_from',
    validTo: 'valid_to',
    registrationNumber: 'registration_number',
    registrationDate: 'registration_date',
    version: 'version',
  });
}

export interface AgreementVersionRow {
  asOf: string;
  status: AgreementRow['status'];
  noneReason: string | null;
  signedOn: string | null;
  validFrom: string | null;
  validTo: string | null;
}

/** What the agreement tab said and from when, newest first ('-infinity': known for every date). */
export async function listAgreementVersions(db: Knex, organizationId: number): Promise<AgreementVersionRow[]> {
  return db('collective_agreement_history').where({ organization_id: organizationId }).orderBy('as_of', 'desc').select({
    asOf: 'as_of',
    status: 'status',
    noneReason: 'none_reason',
    signedOn: 'signed_on',
    validFrom: 'valid_from',
    validTo: 'valid_to',
  });
}

export async function listAnnexes(
  db: Knex,
  organizationId: number,
): Promise<{ id: number; title: string; signedOn: string | null }[]> {
  return db('agreement_annexes')
    .where({ organization_id: organizationId })
    .orderBy([{ column: 'signed_on' }, { column: 'id' }])
    .select({ id: 'id', title: 'title', signedOn: 'signed_on' });
}

export interface HeaderFigures {
  gaps: PassportGaps | undefined;
  activeMembers: number;
  incompleteBelow: { total: number; incomplete: number };
}

/**
 * What a passport's header counts, in one round trip: the organization's own gaps, the members on
 * record in its subtree (`membersOnRecord`, a query from the members feature) and the open
 * organizations below it with an incomplete passport.
 */
export async function findHeaderFigures(
  db: Knex,
  org: { id: number; path: string },
  membersOnRecord: Knex.QueryBuilder,
): Promise<HeaderFigures> {
  // below the union a GiST range; the union holds every organization the view lists, counted per region by
  // triggers (passport_gap_counts: the view over 150,000 organizations took most of its passport's 296 ms)
  const below = org.path.includes('.')
    ? `SELECT count(*) AS total, count(*) FILTER (WHERE ${GAPS_SQL_INCOMPLETE}) AS incomplete
         FROM org_passport_gaps g WHERE g.path <@ ?::ltree AND g.path <> ?::ltree`
    : 'SELECT coalesce(sum(open_orgs), 0) AS total, coalesce(sum(incomplete), 0) AS incomplete FROM passport_gap_counts';
  const { rows } = await db.raw(
    `SELECT g.no_chair, g.no_chair_term, g.chair_term_expired, g.no_email, g.no_headcount, g.id IS NOT NULL AS has_gaps,
            (?) AS active_members, b.total, b.incomplete
       FROM (${below}) b
       LEFT JOIN org_passport_gaps g ON g.id = ?`,
    [membersOnRecord, ...(org.path.includes('.') ? [org.path, org.path] : []), org.id],
  );
  return headerFiguresFromRow(rows[0]);
}

/** The columns a header's figures are read from (its gaps null when it has none: the union, a liquidated one). */
export interface HeaderFiguresRow {
  has_gaps: boolean;
  no_chair: boolean;
  no_chair_term: boolean;
  chair_term_expired: boolean;
  no_email: boolean;
  no_headcount: boolean;
  active_members: string | number;
  total: string | number;
  incomplete: string | number;
}

export function headerFiguresFromRow(r: HeaderFiguresRow): HeaderFigures {
  return {
    gaps: r.has_gaps
      ? {
          noChair: r.no_chair,
          noChairTerm: r.no_chair_term,
          chairTermExpired: r.chair_term_expired,
          noEmail: r.no_email,
          noHeadcount: r.no_headcount,
        }
      : undefined,
    activeMembers: Number(r.active_members),
    incompleteBelow: { total: Number(r.total), incomplete: Number(r.incomplete) },
  };
}

/** The header's figures, the members on record counted from the maintained counters (member_counts). */
export const headerFiguresOf = (db: Knex, org: Pick<OrgRow, 'id' | 'path' | 'level'>) =>
  findHeaderFigures(db, org, membersOnRecordQuery(db, org));

/** The general data saved over the version it was read at (the caller holds the organization's lock). */
export async function updateGeneralData(
  trx: Knex,
  orgId: number,
  version: number,
  values: {
    name: string;
    shortName: string | null;
    employerKind: string | null;
    primaryForm: string;
    employerName: string | null;
    employerInn: string | null;
    address: string | null;
    phone: string | null;
    email: string | null;
    website: string | null;
    onlineAdmission: boolean;
  },
) {
  await trx('organizations').where({ id: orgId, version }).update({
    name: values.name,
    short_name: values.shortName,
    employer_kind: values.employerKind,
    primary_form: values.primaryForm,
    employer_name: values.employerName,
    employer_inn: values.employerInn,
    address: values.address,
    phone: values.phone,
    email: values.email,
    website: values.website,
    online_admission: values.onlineAdmission,
    updated_at: trx.fn.now(),
  });
}

export async function recordRename(
  trx: Knex,
  rename: { orgId: number; on: string; oldName: string; newName: string; actorUserId: number | null },
) {
  await trx('org_events').insert({
    organization_id: rename.orgId,
    kind: 'renamed',
    happened_on: rename.on,
    old_name: rename.oldName,
    new_name: rename.newName,
    actor_user_id: rename.actorUserId,
  });
}

/** The current holder of a single-holder post (chair, group organizer), locked until the transaction ends. */
export async function lockCurrentHolder(
  trx: Knex,
  orgId: number,
  post: string,
): Promise<{ id: number; electedOn: string } | undefined> {
  return trx('org_officers')
    .where({ organization_id: orgId, post })
    .whereNull('ended_on')
    .forUpdate()
    .first({ id: 'id', electedOn: 'elected_on' });
}

/** The current holders of a post (the committee's members), locked until the transaction ends. */
export async function lockCurrentOfficers(
  trx: Knex,
  orgId: number,
  post: string,
): Promise<{ id: number; electedOn: string }[]> {
  return trx('org_officers')
    .where({ organization_id: orgId, post })
    .whereNull('ended_on')
    .orderBy('id')
    .forUpdate()
    .select({ id: 'id', electedOn: 'elected_on' });
}

export async function endOfficerTerm(trx: Knex, officerId: number, endedOn: string) {
  await trx('org_officers').where({ id: officerId }).update({ ended_on: endedOn });
}

export async function insertOfficer(
  trx: Knex,
  orgId: number,
  person: {
    memberId: number | null;
    personId: number | null;
    surname: string;
    name: string;
    patronymic: string | null;
  },
  post: {
    post: string;
    electedOn: string;
    salaried: boolean;
    protocolNumber: string | null;
    protocolDate: string | null;
    trainedOn: string | null;
  },
) {
  const [row] = await trx('org_officers')
    .insert({
      organization_id: orgId,
      post: post.post,
      surname: person.surname,
      name: person.name,
      patronymic: person.patronymic,
      member_id: person.memberId,
      person_id: person.personId,
      // term_until is computed from the election date by the level's rule (trigger org_officers_compute_term)
      elected_on: post.electedOn,
      salaried: post.salaried,
      protocol_number: post.protocolNumber,
      protocol_date: post.protocolDate,
      trained_on: post.trainedOn,
    })
    .returning('id');
  return row.id as number;
}

export async function setOfficerPersonRow(
  trx: Knex,
  officerId: number,
  person: {
    memberId: number | null;
    personId: number | null;
    surname: string;
    name: string;
    patronymic: string | null;
  },
) {
  await trx('org_officers').where({ id: officerId }).update({
    member_id: person.memberId,
    person_id: person.personId,
    surname: person.surname,
    name: person.name,
    patronymic: person.patronymic,
  });
}

/** The figures of a date: the existing row corrected over its version, or a new one. */
export async function saveHeadcountRow(
  trx: Knex,
  orgId: number,
  existing: HeadcountRow | undefined,
  input: {
    asOf: string;
    employeesTotal: number;
    employeesPedagogical: number;
    studentsTotal: number;
    institutionsTotal: number | null;
  },
) {
  const values = {
    employees_total: input.employeesTotal,
    employees_pedagogical: input.employeesPedagogical,
    students_total: input.studentsTotal,
    institutions_total: input.institutionsTotal,
  };
  if (existing) await trx('org_headcounts').where({ id: existing.id, version: existing.version }).update(values);
  else await trx('org_headcounts').insert({ organization_id: orgId, as_of: input.asOf, ...values });
}

/**
 * The agreement's version as of a date (replacing one of the same date), then the current record set to
 * the latest version — over the version it was read at, or created (a simultaneous first save meets this
 * one at the primary key).
 */
export async function saveAgreementAsOf(
  trx: Knex,
  orgId: number,
  asOf: string,
  fields: Record<string, unknown>,
  before: { version: number } | undefined,
) {
  await trx('collective_agreement_history')
    .insert({ organization_id: orgId, as_of: asOf, ...fields, recorded_at: trx.fn.now() })
    .onConflict(['organization_id', 'as_of'])
    .merge();
  const latest = await trx('collective_agreement_history')
    .where({ organization_id: orgId })
    .orderBy('as_of', 'desc')
    .first(Object.keys(fields));
  const values = { ...latest, updated_at: trx.fn.now() };
  if (before)
    await trx('collective_agreements').where({ organization_id: orgId, version: before.version }).update(values);
  else await trx('collective_agreements').insert({ organization_id: orgId, ...values });
}

export async function insertAnnex(trx: Knex, orgId: number, annex: { title: string; signedOn: string | null }) {
  const [row] = await trx('agreement_annexes')
    .insert({ organization_id: orgId, title: annex.title, signed_on: annex.signedOn })
    .returning('id');
  return row.id as number;
}

/** The end of the present chair's term of a ППО: null without a chair or without a term recorded. */
export async function chairTermUntil(db: Knex, organizationId: number): Promise<string | null> {
  const row = await db('org_officers')
    .where({ organization_id: organizationId, post: 'chair' })
    .whereNull('ended_on')
    .first({ termUntil: db.raw("to_char(term_until, 'YYYY-MM-DD')") });
  return row?.termUntil ?? null;
}

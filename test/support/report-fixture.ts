// A small union whose every figure is known: members with several years of history (admissions,
// transfers, exits on the boundaries of the period, a readmission, a category change, parental leave),
// passports with headcounts, officers and collective agreements. The expected values of the forms are
// computed here, in plain JavaScript over the same specification, independently of the product's SQL.
import type { Knex } from 'knex';
import type { OrgRow } from '../../src/registry/orgs.repo';
import { endMemberships, openMembership } from '../../src/membership/membership';
import { createTestDatabase, type TestDatabase } from './db';
import { createOrg, unionRoot } from './factories';

export const D = '2026-04-01';
export const S = '2026-01-01';

type Category = 'working' | 'student' | 'pensioner' | 'unemployed';
export type OrgKey = 'R' | 'T' | 'A' | 'B' | 'G' | 'C' | 'SUB' | 'R2' | 'T2' | 'P2';

export interface PeriodSpec<K extends string = OrgKey> {
  org: K;
  category: Category;
  ped?: boolean;
  parental?: boolean;
  from: string;
  to?: string;
}
export interface PersonSpec<K extends string = OrgKey> {
  surname: string;
  sex: 'm' | 'f';
  birth: string;
  periods: PeriodSpec<K>[];
  /** exit reasons of periods that end without a successor, by end date */
  exits?: Record<string, string>;
}

const P = (
  surname: string,
  sex: 'm' | 'f',
  birth: string,
  periods: PeriodSpec[],
  exits?: Record<string, string>,
): PersonSpec => ({ surname, sex, birth, periods, exits });

export const PEOPLE: PersonSpec[] = [
  P('Алексеева', 'f', '1991-04-02', [{ org: 'A', category: 'working', ped: true, from: '2015-09-01' }]),
  P('Борисова', 'f', '1991-04-01', [{ org: 'A', category: 'working', ped: true, from: '2016-09-01' }]),
  P('Васильев', 'm', '1980-01-01', [{ org: 'A', category: 'working', from: '2010-01-01' }]),
  P('Григорьева', 'f', '1970-05-05', [{ org: 'A', category: 'pensioner', from: '2000-01-01' }]),
  P('Давыдова', 'f', '1995-02-02', [
    { org: 'A', category: 'working', ped: true, from: '2018-09-01', to: '2025-11-01' },
    { org: 'A', category: 'working', ped: true, parental: true, from: '2025-11-01' },
  ]),
  P('Егоров', 'm', '2000-03-03', [{ org: 'A', category: 'unemployed', from: '2024-01-01' }]),
  P('Жукова', 'f', '1999-07-07', [{ org: 'G', category: 'working', ped: true, from: '2020-09-01' }]),
  P('Зайцева', 'f', '1985-08-08', [{ org: 'A', category: 'working', from: '2026-02-01' }]),
  P('Ильина', 'f', '1988-01-01', [
    { org: 'A', category: 'working', ped: true, from: '2012-09-01', to: '2026-02-15' },
    { org: 'B', category: 'working', ped: true, from: '2026-02-15' },
  ]),
  P('Кузнецов', 'm', '1993-03-03', [
    { org: 'P2', category: 'working', from: '2014-01-01', to: '2026-03-01' },
    { org: 'A', category: 'working', from: '2026-03-01' },
  ]),
  P('Лебедева', 'f', '1975-01-01', [{ org: 'A', category: 'working', from: '2005-01-01', to: '2026-03-10' }], {
    '2026-03-10': 'voluntary',
  }),
  P('Морозов', 'm', '1990-06-06', [{ org: 'A', category: 'working', from: '2011-01-01', to: '2026-01-20' }], {
    '2026-01-20': 'expelled',
  }),
  P('Николаев', 'm', '1950-01-01', [{ org: 'A', category: 'pensioner', from: '1990-01-01', to: '2026-02-20' }], {
    '2026-02-20': 'died',
  }),
  P('Орлова', 'f', '1992-02-02', [{ org: 'B', category: 'working', ped: true, from: '2015-01-01', to: '2026-03-31' }], {
    '2026-03-31': 'dismissed',
  }),
  P('Павлова', 'f', '1994-04-04', [{ org: 'A', category: 'working', from: '2019-01-01', to: D }], { [D]: 'dismissed' }),
  P('Романов', 'm', '2001-01-01', [{ org: 'A', category: 'working', from: D }]),
  P('Семёнова', 'f', '1996-06-06', [{ org: 'A', category: 'working', from: S }]),
  P('Тихонов', 'm', '1985-05-05', [
    { org: 'A', category: 'working', from: '2013-01-01', to: '2026-02-28' },
    { org: 'P2', category: 'working', from: '2026-02-28' },
  ]),
  P('Усова', 'f', '1983-03-03', [{ org: 'B', category: 'working', ped: true, from: '2010-09-01' }]),
  P('Фомина', 'f', '1998-08-08', [{ org: 'B', category: 'working', from: '2021-01-01' }]),
  P(
    'Харитонова',
    'f',
    '1979-09-09',
    [
      { org: 'B', category: 'working', from: '2010-01-01', to: '2020-01-01' },
      { org: 'B', category: 'working', from: '2026-03-05' },
    ],
    { '2020-01-01': 'voluntary' },
  ),
  P('Цветкова', 'f', '2005-05-05', [{ org: 'C', category: 'student', from: '2023-09-01' }]),
  P('Чернов', 'm', '2004-04-04', [{ org: 'C', category: 'student', from: '2022-09-01' }]),
  P('Шилова', 'f', '2006-06-06', [{ org: 'SUB', category: 'student', from: '2024-09-01' }]),
  P('Щукин', 'm', '1970-07-07', [{ org: 'C', category: 'working', ped: true, from: '2000-09-01' }]),
  P('Юдина', 'f', '1990-10-10', [
    { org: 'C', category: 'student', from: '2008-09-01', to: '2026-02-01' },
    { org: 'C', category: 'working', from: '2026-02-01' },
  ]),
  P('Яковлев', 'm', '2002-02-02', [{ org: 'C', category: 'student', from: '2020-09-01', to: '2026-01-31' }], {
    '2026-01-31': 'graduated',
  }),
  P('Абрамова', 'f', '1980-01-01', [{ org: 'P2', category: 'working', from: '2000-01-01' }]),
];

export interface HeadcountSpec {
  org: OrgKey;
  asOf: string;
  employees: number;
  ped: number;
  students?: number;
  institutions?: number;
}
export const HEADCOUNTS: HeadcountSpec[] = [
  { org: 'A', asOf: '2025-09-01', employees: 40, ped: 2 },
  { org: 'A', asOf: '2026-06-01', employees: 45, ped: 30 },
  { org: 'B', asOf: '2025-09-01', employees: 28, ped: 18 },
  { org: 'B', asOf: '2026-01-15', employees: 30, ped: 20 },
  { org: 'C', asOf: '2025-09-01', employees: 200, ped: 150, students: 3000 },
  { org: 'T', asOf: '2025-12-01', employees: 0, ped: 0, institutions: 5 },
];

export interface OfficerSpec {
  org: OrgKey;
  post: string;
  /** a member of the fixture (by surname) or a person outside the registry */
  member?: string;
  person?: { surname: string; sex: 'm' | 'f'; birth: string };
  electedOn: string;
  endedOn?: string;
  salaried?: boolean;
  trainedOn?: string;
}
export const OFFICERS: OfficerSpec[] = [
  { org: 'A', post: 'chair', member: 'Алексеева', electedOn: '2021-01-01', salaried: true, trainedOn: '2026-03-15' },
  { org: 'A', post: 'deputy', member: 'Васильев', electedOn: '2021-01-01' },
  { org: 'A', post: 'committee', member: 'Борисова', electedOn: '2021-01-01' },
  { org: 'A', post: 'committee', member: 'Васильев', electedOn: '2021-01-01' },
  { org: 'A', post: 'committee', member: 'Лебедева', electedOn: '2021-01-01', endedOn: '2026-03-10' },
  { org: 'A', post: 'audit', member: 'Григорьева', electedOn: '2021-01-01' },
  { org: 'A', post: 'commission', member: 'Егоров', electedOn: '2024-02-01', trainedOn: '2026-02-10' },
  {
    org: 'A',
    post: 'safety_rep',
    person: { surname: 'Сидоров', sex: 'm', birth: '1960-01-01' },
    electedOn: '2022-01-01',
    trainedOn: '2025-10-10',
  },
  { org: 'G', post: 'chair', member: 'Жукова', electedOn: '2022-09-01' },
  { org: 'B', post: 'chair', member: 'Орлова', electedOn: '2015-06-01', endedOn: '2026-03-31' },
  { org: 'B', post: 'chair', member: 'Усова', electedOn: '2026-03-31' },
  { org: 'C', post: 'chair', member: 'Щукин', electedOn: '2019-05-01', salaried: true },
  { org: 'SUB', post: 'chair', member: 'Шилова', electedOn: '2025-10-01' },
  {
    org: 'T',
    post: 'chair',
    person: { surname: 'Иванова', sex: 'f', birth: '1970-03-03' },
    electedOn: '2020-01-01',
    salaried: true,
  },
  { org: 'T', post: 'deputy', person: { surname: 'Петров', sex: 'm', birth: '1995-01-01' }, electedOn: '2020-01-01' },
  {
    org: 'T',
    post: 'presidium',
    person: { surname: 'Смирнова', sex: 'f', birth: '1980-01-01' },
    electedOn: '2020-01-01',
  },
  {
    org: 'T',
    post: 'presidium',
    person: { surname: 'Козлов', sex: 'm', birth: '1999-01-01' },
    electedOn: '2020-01-01',
  },
  { org: 'T', post: 'staff', person: { surname: 'Новикова', sex: 'f', birth: '1993-01-01' }, electedOn: '2020-01-01' },
  {
    org: 'T',
    post: 'volunteer_inspector',
    person: { surname: 'Волков', sex: 'm', birth: '1965-01-01' },
    electedOn: '2020-01-01',
  },
  {
    org: 'R',
    post: 'chair',
    person: { surname: 'Соколова', sex: 'f', birth: '1968-01-01' },
    electedOn: '2019-01-01',
    salaried: true,
  },
];

export interface AgreementSpec {
  org: OrgKey;
  status: string;
  signedOn?: string;
  validFrom?: string;
  validTo?: string;
  regNo?: string;
  regDate?: string;
  annexes?: string[];
}
export const AGREEMENTS: AgreementSpec[] = [
  {
    org: 'A',
    status: 'active',
    signedOn: '2025-03-15',
    validFrom: '2025-04-01',
    validTo: '2027-12-31',
    regNo: '12',
    regDate: '2025-04-10',
    annexes: ['Положение об оплате труда', 'Соглашение по охране труда'],
  },
  { org: 'B', status: 'negotiating' },
  { org: 'C', status: 'expired', signedOn: '2022-06-01', validFrom: '2022-07-01', validTo: '2025-06-30' },
  {
    org: 'T',
    status: 'active',
    signedOn: '2024-01-15',
    validFrom: '2024-02-01',
    validTo: '2026-12-31',
    regNo: '7-Т',
    regDate: '2024-02-10',
  },
];

export type Orgs = Record<OrgKey, OrgRow>;

export interface ReportFixture {
  orgs: Orgs;
  /** member ids by surname */
  members: Record<string, number>;
  /** non-member persons (by SNILS) by surname */
  persons: Record<string, number>;
}

/**
 * A card admitted on `joinedOn` as the membership service admits one (its period and event), written
 * in the caller's transaction as the owner: a back-dated admission the fixture's reports then meet.
 */
export async function admitBackDated(
  trx: Knex.Transaction,
  organizationId: number,
  person: { surname: string; birthDate: string; isPedagogical: boolean },
  joinedOn: string,
): Promise<number> {
  const [row] = await trx('members')
    .insert({
      organization_id: organizationId,
      surname: person.surname,
      name: 'Тест',
      sex: 'f',
      birth_date: person.birthDate,
      category: 'working',
      joined_on: joinedOn,
    })
    .returning('id');
  const id = Number(row.id);
  await openMembership(
    trx,
    id,
    organizationId,
    'working',
    person.isPedagogical,
    { on: joinedOn, actorUserId: null },
    'admitted',
  );
  return id;
}

/** A private database with the fixture built in it (the test file drops `database` after it). */
export async function createReportDatabase(): Promise<{ database: TestDatabase; db: Knex; fx: ReportFixture }> {
  const database = await createTestDatabase();
  return { database, db: database.ownerDb, fx: await buildReportFixture(database.ownerDb) };
}

/** Writes the union as the owner (fixtures bypass the application's own checks, not its tables). */
export async function buildReportFixture(db: Knex): Promise<ReportFixture> {
  const union = await unionRoot(db);
  const R = await createOrg(db, union, 'regional', { regionCode: 16, name: 'Региональная организация (отчёты)' });
  const T = await createOrg(db, R, 'territorial', { name: 'Городская организация (отчёты)' });
  const A = await createOrg(db, T, 'primary', { name: 'ППО школы № 1', employerKind: 'school' });
  const B = await createOrg(db, T, 'primary', { name: 'ППО детского сада № 2', employerKind: 'kindergarten' });
  const G = await createOrg(db, A, 'group', { name: 'Профгруппа начальных классов' });
  const C = await createOrg(db, R, 'primary', { name: 'ППО университета', employerKind: 'university' });
  const SUB = await createOrg(db, C, 'subdivision', { name: 'Профбюро физического факультета' });
  const R2 = await createOrg(db, union, 'regional', { regionCode: 50, name: 'Другая региональная организация' });
  const T2 = await createOrg(db, R2, 'territorial');
  const P2 = await createOrg(db, T2, 'primary', { name: 'ППО другой школы' });
  const orgs: Orgs = { R, T, A, B, G, C, SUB, R2, T2, P2 };

  const members = await insertPeople(db, orgs, PEOPLE);
  for (const h of HEADCOUNTS) {
    await db('org_headcounts').insert({
      organization_id: orgs[h.org].id,
      as_of: h.asOf,
      employees_total: h.employees,
      employees_pedagogical: h.ped,
      students_total: h.students ?? 0,
      institutions_total: h.institutions ?? null,
    });
  }
  const persons = new Map<string, number>();
  for (const o of OFFICERS) {
    const person = o.member ? PEOPLE.find((p) => p.surname === o.member)! : o.person!;
    const personId = o.person
      ? (persons.get(o.person.surname) ?? (await insertNonMember(db, o.person, persons.size)))
      : null;
    if (o.person && personId) persons.set(o.person.surname, personId);
    await db('org_officers').insert({
      organization_id: orgs[o.org].id,
      post: o.post,
      surname: person.surname,
      name: 'Тест',
      member_id: o.member ? members[o.member] : null,
      person_id: personId,
      elected_on: o.electedOn,
      ended_on: o.endedOn ?? null,
      salaried: o.salaried ?? false,
      trained_on: o.trainedOn ?? null,
    });
  }
  for (const a of AGREEMENTS) {
    await db('collective_agreements').insert({
      organization_id: orgs[a.org].id,
      status: a.status,
      signed_on: a.signedOn ?? null,
      valid_from: a.validFrom ?? null,
      valid_to: a.validTo ?? null,
      registration_number: a.regNo ?? null,
      registration_date: a.regDate ?? null,
    });
    for (const title of a.annexes ?? [])
      await db('agreement_annexes').insert({ organization_id: orgs[a.org].id, title });
  }
  return { orgs, members, persons: Object.fromEntries(persons) };
}

/** A person outside the registry, recorded by SNILS (officers who are not members). */
export async function insertNonMember(
  db: Knex,
  p: { surname: string; sex: 'm' | 'f'; birth: string },
  seq: number,
): Promise<number> {
  const [row] = await db('persons')
    .insert({ snils: String(90000000000 + seq), surname: p.surname, name: 'Тест', sex: p.sex, birth_date: p.birth })
    .returning('id');
  return Number(row.id);
}

/** Cards with their membership history as the registry keeps it: periods, and the events that open and close them. */
export async function insertPeople<K extends string>(
  db: Knex,
  orgs: Record<K, { id: number }>,
  people: PersonSpec<K>[],
): Promise<Record<string, number>> {
  const members: Record<string, number> = {};
  // each card with its history in one transaction: the database refuses a card without its open period
  for (const person of people)
    await db.transaction(async (trx) => {
      const last = person.periods.at(-1)!;
      const lastExit = last.to ? { on: last.to, reason: person.exits?.[last.to] ?? 'other' } : null;
      const [row] = await trx('members')
        .insert({
          organization_id: orgs[last.org].id,
          surname: person.surname,
          name: 'Тест',
          patronymic: null,
          sex: person.sex,
          birth_date: person.birth,
          category: last.category,
          is_pedagogical: last.ped ?? false,
          on_parental_leave: last.parental ?? false,
          joined_on: person.periods[0]!.from,
          left_on: lastExit?.on ?? null,
          left_reason: lastExit?.reason ?? null,
        })
        .returning('id');
      const id = Number(row.id);
      members[person.surname] = id;
      let previous: PeriodSpec<K> | undefined;
      for (const period of person.periods) {
        await trx('member_periods').insert({
          member_id: id,
          organization_id: orgs[period.org].id,
          category: period.category,
          is_pedagogical: period.ped ?? false,
          on_parental_leave: period.parental ?? false,
          valid_from: period.from,
          valid_to: period.to ?? null,
        });
        const contiguous = previous?.to === period.from;
        if (!contiguous)
          await trx('membership_events').insert({
            member_id: id,
            kind: previous ? 'readmitted' : 'admitted',
            happened_on: period.from,
            to_organization_id: orgs[period.org].id,
            category: period.category,
          });
        else if (previous!.org !== period.org)
          await trx('membership_events').insert({
            member_id: id,
            kind: 'transferred',
            happened_on: period.from,
            from_organization_id: orgs[previous!.org].id,
            to_organization_id: orgs[period.org].id,
          });
        else
          await trx('membership_events').insert({
            member_id: id,
            kind: 'category_changed',
            happened_on: period.from,
            category: period.category,
          });
        if (period.to && !person.periods.some((p) => p.from === period.to)) {
          await trx('membership_events').insert({
            member_id: id,
            kind: 'left',
            happened_on: period.to,
            from_organization_id: orgs[period.org].id,
            reason: person.exits?.[period.to] ?? 'other',
          });
        }
        previous = period;
      }
    });
  return members;
}

// ---- the independent computation -------------------------------------------------------------

export const SUBTREES: Record<string, OrgKey[]> = {
  A: ['A', 'G'],
  B: ['B'],
  C: ['C', 'SUB'],
  T: ['T', 'A', 'B', 'G'],
  R: ['R', 'T', 'A', 'B', 'G', 'C', 'SUB'],
};
const LEVEL: Record<OrgKey, string> = {
  R: 'regional',
  T: 'territorial',
  A: 'primary',
  B: 'primary',
  G: 'group',
  C: 'primary',
  SUB: 'subdivision',
  R2: 'regional',
  T2: 'territorial',
  P2: 'primary',
};

export interface Cols {
  total: number;
  women: number;
  youth: number;
}
export interface ExpectedLine {
  total: number | null;
  women?: number;
  youth?: number;
}
const none = (): Cols => ({ total: 0, women: 0, youth: 0 });

/** Full years of age on a date. */
export function age(birth: string, on: string): number {
  const [by, bm, bd] = birth.split('-').map(Number) as [number, number, number];
  const [y, m, d] = on.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

function add(c: Cols, sex: string, birth: string, on: string) {
  c.total++;
  if (sex === 'f') c.women++;
  if (age(birth, on) < 35) c.youth++;
}

export function stateAt(keys: OrgKey[], on: string, pred: (p: PeriodSpec) => boolean = () => true): Cols {
  const c = none();
  for (const person of PEOPLE) {
    for (const p of person.periods) {
      if (keys.includes(p.org) && p.from <= on && (!p.to || p.to > on) && pred(p)) add(c, person.sex, person.birth, on);
    }
  }
  return c;
}

export type MoveKind = 'admitted' | 'transferred_in' | 'transferred_out' | string;

/** The ППО each unit of the fixture belongs to. */
const PPO_OF: Partial<Record<OrgKey, OrgKey>> = { A: 'A', G: 'A', B: 'B', C: 'C', SUB: 'C', P2: 'P2' };

/**
 * Movement in (start, end] as the primary forms count it, summed over the ППО of the subtree: admissions,
 * arrivals from another ППО (or from outside the subtree), exits by reason, departures to another ППО.
 */
export function movement(keys: OrgKey[], start: string, end: string): Record<string, Cols> {
  const out: Record<string, Cols> = {};
  const bump = (kind: string, person: PersonSpec, on: string) =>
    add((out[kind] ??= none()), person.sex, person.birth, on);
  const elsewhere = (from: OrgKey, to: OrgKey) => !keys.includes(from) || PPO_OF[from] !== PPO_OF[to];
  for (const person of PEOPLE) {
    person.periods.forEach((p, i) => {
      const before = person.periods.find((q) => q.to === p.from);
      const after = person.periods.find((q) => q.from === p.to);
      if (keys.includes(p.org) && p.from > start && p.from <= end) {
        if (!before) bump('admitted', person, p.from);
        else if (elsewhere(before.org, p.org)) bump('transferred_in', person, p.from);
      }
      if (keys.includes(p.org) && p.to && p.to > start && p.to <= end) {
        if (!after) bump(person.exits?.[p.to] ?? 'other', person, p.to);
        else if (elsewhere(after.org, p.org)) bump('transferred_out', person, p.to);
      }
      void i;
    });
  }
  return out;
}

const sum = (...cs: (Cols | undefined)[]): Cols =>
  cs.reduce<Cols>(
    (a, c) => ({
      total: a.total + (c?.total ?? 0),
      women: a.women + (c?.women ?? 0),
      youth: a.youth + (c?.youth ?? 0),
    }),
    none(),
  );

export function headcountAt(keys: OrgKey[], on: string) {
  let employees = 0,
    ped = 0,
    students = 0,
    institutions: number | null = null;
  for (const key of keys.filter((k) => LEVEL[k] === 'primary')) {
    const h = HEADCOUNTS.filter((x) => x.org === key && x.asOf <= on)
      .sort((a, b) => a.asOf.localeCompare(b.asOf))
      .at(-1);
    if (h) {
      employees += h.employees;
      ped += h.ped;
      students += h.students ?? 0;
    }
  }
  for (const key of keys.filter((k) => LEVEL[k] === 'territorial')) {
    const h = HEADCOUNTS.filter((x) => x.org === key && x.asOf <= on)
      .sort((a, b) => a.asOf.localeCompare(b.asOf))
      .at(-1);
    if (h?.institutions != null) institutions = (institutions ?? 0) + h.institutions;
  }
  return { employees, ped, students, institutions };
}

function officerPerson(o: OfficerSpec) {
  if (o.person) return { key: `p:${o.person.surname}`, sex: o.person.sex, birth: o.person.birth };
  const p = PEOPLE.find((x) => x.surname === o.member)!;
  return { key: `m:${p.surname}`, sex: p.sex, birth: p.birth };
}

/** Officers of the subtree on a date matching a rule, counted as posts or as distinct persons. */
export function officersAt(
  keys: OrgKey[],
  on: string,
  rule: (o: OfficerSpec, level: string) => boolean,
  distinct = false,
): Cols {
  const c = none();
  const seen = new Set<string>();
  for (const o of OFFICERS) {
    if (!keys.includes(o.org) || o.electedOn > on || (o.endedOn && o.endedOn <= on) || !rule(o, LEVEL[o.org])) continue;
    const person = officerPerson(o);
    if (distinct && seen.has(person.key)) continue;
    seen.add(person.key);
    add(c, person.sex, person.birth, on);
  }
  return c;
}

const round1 = (v: number) => Math.round(v * 10) / 10;
const pct = (a: number, b: number) => (b === 0 ? null : round1((a / b) * 100));
const ACTIVIST = ['chair', 'deputy', 'committee', 'audit', 'commission', 'group_organizer', 'safety_rep'];
const UNIT = ['primary', 'subdivision', 'group'];

/** Section I and II of 5-СП (and of 2-СП/1-СП) for a subtree, by line number. */
export function expectedMembershipLines(keys: OrgKey[], on = D, start = S): Record<string, ExpectedLine> {
  const hc = headcountAt(keys, on);
  const m = movement(keys, start, on);
  const working = stateAt(keys, on, (p) => p.category === 'working');
  const ped = stateAt(keys, on, (p) => p.category === 'working' && !!p.ped);
  const students = stateAt(keys, on, (p) => p.category === 'student');
  const pensioners = stateAt(keys, on, (p) => p.category === 'pensioner');
  const unemployed = stateAt(keys, on, (p) => p.category === 'unemployed');
  const left = {
    voluntary: m.voluntary,
    expelled: m.expelled,
    dismissed: sum(m.dismissed, m.graduated, m.transferred_out),
    other: sum(m.died, m.other),
  };
  const off = (rule: (o: OfficerSpec, level: string) => boolean, distinct = false) =>
    officersAt(keys, on, rule, distinct);
  return {
    '01': { total: hc.employees },
    '02': working,
    '03': { total: hc.ped },
    '04': ped,
    '05': { total: hc.students },
    '06': students,
    '07': pensioners,
    '08': unemployed,
    '09': sum(working, students, pensioners, unemployed),
    '10': stateAt(keys, on, (p) => !!p.parental),
    '11': sum(m.admitted),
    '12': sum(m.transferred_in),
    '13': sum(left.voluntary, left.expelled, left.dismissed, left.other),
    '14': sum(left.voluntary),
    '15': sum(left.expelled),
    '16': left.dismissed,
    '17': left.other,
    '18': { total: pct(working.total, hc.employees) },
    '19': { total: pct(students.total, hc.students) },
    '20': { total: pct(working.total + students.total, hc.employees + hc.students) },
    '21': { total: pct(ped.total, hc.ped) },
    '22': off((o, l) => o.post === 'chair' && l === 'primary'),
    '23': off((o, l) => o.post === 'chair' && l === 'primary' && !!o.salaried),
    '24': off((o, l) => o.post === 'deputy' && l === 'primary'),
    '25': off((o, l) => o.post === 'committee' && l === 'primary'),
    '26': off((o, l) => o.post === 'audit' && l === 'primary'),
    '27': off((o, l) => o.post === 'commission' && (l === 'primary' || l === 'subdivision')),
    '28': off((o, l) => (o.post === 'group_organizer' && UNIT.includes(l)) || (o.post === 'chair' && l === 'group')),
    '29': off((o, l) => o.post === 'chair' && l === 'subdivision'),
    '30': off((o, l) => o.post === 'safety_rep' && UNIT.includes(l)),
    '31': off((o, l) => ACTIVIST.includes(o.post) && UNIT.includes(l), true),
    '32': off(
      (o, l) =>
        ACTIVIST.includes(o.post) && UNIT.includes(l) && !!o.trainedOn && o.trainedOn > start && o.trainedOn <= on,
      true,
    ),
  };
}

/** Section II (structure) and III (own bodies) of 2-СП/1-СП. */
export function expectedStructureLines(root: OrgKey, on = D, filed = 0): Record<string, ExpectedLine> {
  const below = SUBTREES[root]!.filter((k) => k !== root);
  const primaries = below.filter((k) => LEVEL[k] === 'primary');
  const kinds: Record<string, string> = { A: 'school', B: 'kindergarten', C: 'university' };
  const byKind = (kind: string) => ({ total: primaries.filter((k) => kinds[k] === kind).length });
  const size = (k: OrgKey) => stateAt(SUBTREES[k]!, on).total;
  const institutions = headcountAt(SUBTREES[root]!, on).institutions;
  const own = (post: string, extra: (o: OfficerSpec) => boolean = () => true) =>
    officersAt([root], on, (o) => o.post === post && extra(o));
  return {
    '40': { total: primaries.length },
    '41': byKind('school'),
    '42': byKind('kindergarten'),
    '43': byKind('additional'),
    '44': byKind('college'),
    '45': byKind('university'),
    '46': byKind('research'),
    '47': byKind('authority'),
    '48': byKind('other'),
    '49': { total: primaries.filter((k) => size(k) < 15).length },
    '50': { total: below.filter((k) => LEVEL[k] === 'group').length },
    '51': { total: institutions },
    '52': { total: primaries.length },
    '53': { total: institutions ? pct(primaries.length, institutions) : null },
    '54': { total: filed },
    '60': own('chair'),
    '61': own('chair', (o) => !!o.salaried),
    '62': own('deputy'),
    '63': own('committee'),
    '64': own('presidium'),
    '65': own('audit'),
    '66': own('staff'),
    '67': own('volunteer_inspector'),
  };
}

/**
 * A member whose open period began before 1 October 2025 leaves on `firstEnd` (through the service, which keeps
 * the card in step); then `endOn` corrects that period's end alone, as a direct edit of the period would.
 */
export async function periodEndedOn(db: Knex, firstEnd: string) {
  const period = await db('member_periods')
    .whereNull('valid_to')
    .where('valid_from', '<', '2025-10-01')
    .orderBy('id')
    .first('id', 'organization_id', 'member_id');
  await db.transaction((trx) =>
    endMemberships(trx, [period.member_id], 'voluntary', { on: firstEnd, actorUserId: null }),
  );
  return {
    organizationId: Number(period.organization_id),
    endOn: (end: string | Knex.Raw) => db('member_periods').where({ id: period.id }).update({ valid_to: end }),
  };
}

// The random union of the model test, built with the factories: three or more regions with territorial
// organizations, ППО (one with territorial rights over a child ППО), subdivisions and groups, members with
// some history, headcounts, agreements and officers (some holding posts in several ППО).
import type { Knex } from 'knex';
import type { EmployerKind } from '../../../src/registry/levels';
import { createOrg, unionRoot } from '../factories';
import { insertPeople, type PersonSpec } from '../report-fixture';
import { STAFF_POSTS } from './expected';
import { addOfficer } from './officers';
import { UnionModel, type Category, type Level, type Officer, type Period } from './model';
import { addDays, type Rng } from './prng';

const SURNAMES = [
  'Иванов',
  'Смирнов',
  'Кузнецов',
  'Попов',
  'Соколов',
  'Лебедев',
  'Козлов',
  'Новиков',
  'Морозов',
  'Волков',
  'Соловьёв',
  'Васильев',
  'Зайцев',
  'Павлов',
  'Семёнов',
  'Голубев',
  'Виноградов',
  'Богданов',
  'Воробьёв',
  'Фёдоров',
];
const NAMES = {
  m: ['Алексей', 'Борис', 'Виктор', 'Геннадий', 'Дмитрий', 'Егор', 'Игорь', 'Кирилл'],
  f: ['Анна', 'Вера', 'Галина', 'Дарья', 'Елена', 'Жанна', 'Ирина', 'Ксения'],
};
export const personNames = (rng: Rng, sex: 'm' | 'f') => ({
  surname: `${rng.pick(SURNAMES)}${sex === 'f' ? 'а' : ''}`,
  name: rng.pick(NAMES[sex]),
});
const KINDS: EmployerKind[] = [
  'school',
  'school',
  'kindergarten',
  'kindergarten',
  'additional',
  'college',
  'university',
  'research',
  'other',
];
export const STUDENT_KINDS: (EmployerKind | undefined)[] = ['college', 'university'];
export const randomDate = (rng: Rng, from: string, to: string) => {
  const span = (Date.parse(to) - Date.parse(from)) / 86_400_000;
  return addDays(from, rng.int(0, span));
};

/** A fresh person on a random birth date (14 to 70 years old at the events), in a category that fits the organization. */
export function randomPerson(rng: Rng, kind: EmployerKind | undefined, studentsOnly = false) {
  const sex: 'm' | 'f' = rng.chance(0.7) ? 'f' : 'm';
  const students = STUDENT_KINDS.includes(kind);
  const r = studentsOnly ? 0 : rng.next();
  const category: Category =
    students && r < 0.4 ? 'student' : r < 0.8 ? 'working' : r < 0.92 ? 'pensioner' : 'unemployed';
  const birth =
    category === 'student'
      ? randomDate(rng, '2000-01-01', '2008-12-31')
      : category === 'pensioner'
        ? randomDate(rng, '1945-01-01', '1965-12-31')
        : randomDate(rng, '1960-01-01', '2002-12-31');
  const ped = category === 'working' && rng.chance(0.5);
  return {
    sex,
    birth,
    category,
    ped,
    parental: category === 'working' && sex === 'f' && rng.chance(0.08),
    ...personNames(rng, sex),
  };
}

export interface Built {
  model: UnionModel;
  names: Map<number, { surname: string; name: string }>;
}

export async function buildUnion(db: Knex, rng: Rng, regions = 3): Promise<Built> {
  const model = new UnionModel();
  const rows = new Map<string, Awaited<ReturnType<typeof createOrg>>>();
  const union = await unionRoot(db);
  const register = (
    key: string,
    row: typeof union,
    level: Level,
    parent: string | null,
    extra: { kind?: EmployerKind; rights?: boolean; form?: string } = {},
  ) => {
    rows.set(key, row);
    model.orgs.set(key, { key, id: row.id, inpo: row.inpo, level, parents: [['-infinity', parent]], ...extra });
  };
  register('U', union, 'union', null);
  const child = async (
    parent: string,
    key: string,
    level: Level,
    extra: { kind?: EmployerKind; rights?: boolean; regionCode?: number; form?: string } = {},
  ) => {
    const row = await createOrg(db, rows.get(parent)!, level as never, {
      employerKind: extra.kind,
      hasTerritorialRights: extra.rights,
      regionCode: extra.regionCode,
      name: `Организация ${key}`,
    });
    // the primary form as a new ППО gets it (colleges and universities 4-СП, others 5-СП), or as chosen in its passport
    const form =
      level === 'primary' ? (extra.form ?? (STUDENT_KINDS.includes(extra.kind) ? '4-SP' : '5-SP')) : undefined;
    if (extra.form) await db('organizations').where({ id: row.id }).update({ primary_form: extra.form });
    register(key, row, level, parent, { kind: extra.kind, rights: extra.rights, form });
    return key;
  };
  const ppoWithUnits = async (parent: string, key: string, kind: EmployerKind) => {
    await child(parent, key, 'primary', { kind });
    if (rng.chance(0.5)) {
      const sub = await child(key, `${key}s`, 'subdivision');
      if (rng.chance(0.5)) await child(sub, `${sub}g`, 'group');
    }
    if (rng.chance(0.5)) await child(key, `${key}g`, 'group');
  };
  for (let r = 1; r <= regions; r++) {
    const R = await child('U', `R${r}`, 'regional', { regionCode: [16, 50, 61, 39, 52][r - 1] });
    for (let t = 1; t <= 2; t++) {
      const T = await child(R, `${R}T${t}`, 'territorial');
      for (let p = 1, n = rng.int(2, 3); p <= n; p++) await ppoWithUnits(T, `${T}P${p}`, rng.pick(KINDS));
    }
    await ppoWithUnits(R, `${R}P`, rng.pick(KINDS));
    // a ППО of students only in each region: it files 3-СП
    await child(`${R}T1`, `${R}T1S`, 'primary', { kind: rng.pick(['college', 'university'] as const), form: '3-SP' });
    if (r === 1) {
      // a university ППО with the rights of a territorial organization over a school's ППО
      await child(R, `${R}V`, 'primary', { kind: 'university', rights: true });
      await child(`${R}V`, `${R}Vs`, 'subdivision');
      await ppoWithUnits(`${R}V`, `${R}VP`, 'school');
    }
  }

  // members: a few on every unit, some with an exit shortly before the events begin
  const specs: PersonSpec<string>[] = [];
  const orgIds = Object.fromEntries([...model.orgs.values()].map((o) => [o.key, { id: o.id }]));
  const memberUnits = [...model.orgs.values()].filter((o) => ['primary', 'subdivision', 'group'].includes(o.level));
  const kindOf = (key: string) => model.org(model.ppoOf(key, '2025-01-01')!).kind;
  for (const unit of memberUnits) {
    for (let i = 0, n = unit.level === 'primary' ? rng.int(4, 10) : rng.int(2, 5); i < n; i++) {
      const p = randomPerson(rng, kindOf(unit.key), model.studentsOnly(unit.key, '2025-01-01'));
      const from = randomDate(rng, `${Math.max(Number(p.birth.slice(0, 4)) + 15, 2005)}-01-01`, '2025-06-30');
      const period: Period = { org: unit.key, category: p.category, ped: p.ped, parental: p.parental, from };
      const exits: Record<string, string> = {};
      if (rng.chance(0.1)) {
        period.to = randomDate(rng, '2025-07-02', '2025-09-30');
        exits[period.to] = rng.pick(['voluntary', 'expelled', 'dismissed', 'died']);
      }
      specs.push({ surname: p.surname, sex: p.sex, birth: p.birth, periods: [period], exits });
    }
  }
  // insertPeople keys cards by surname: give each spec its own
  const keyed = specs.map((s, i) => ({ ...s, surname: `${s.surname}#${i}` }));
  const ids = await insertPeople(db, orgIds, keyed);
  const names = new Map<number, { surname: string; name: string }>();
  keyed.forEach((s, i) => {
    const id = ids[s.surname]!;
    const surname = specs[i]!.surname;
    names.set(id, { surname, name: 'Тест' });
    model.people.push({
      id,
      surname,
      sex: s.sex,
      birth: s.birth,
      periods: s.periods.map((p) => ({ ...p })) as Period[],
      exits: s.exits ?? {},
    });
  });
  await db('members')
    .whereIn('id', Object.values(ids))
    .update({ surname: db.raw("split_part(surname, '#', 1)") });

  await buildPassports(db, rng, model);
  await buildOfficers(db, rng, model, names);
  return { model, names };
}

async function buildPassports(db: Knex, rng: Rng, model: UnionModel) {
  for (const o of model.orgs.values()) {
    // a college or university always has its headcount: its students must not exceed the students it reports
    if (o.level === 'primary' && (STUDENT_KINDS.includes(o.kind) || rng.chance(0.8))) {
      const students = STUDENT_KINDS.includes(o.kind) ? rng.int(800, 3000) : 0;
      for (const asOf of rng.chance(0.5) ? ['2025-09-01', '2026-03-01'] : [rng.pick(['2025-05-01', '2026-02-01'])]) {
        const h = { org: o.key, asOf, employees: rng.int(60, 150), ped: rng.int(45, 59), students };
        await db('org_headcounts').insert({
          organization_id: o.id,
          as_of: asOf,
          employees_total: h.employees,
          employees_pedagogical: h.ped,
          students_total: h.students,
        });
        model.headcounts.push(h);
      }
    }
    if (o.level === 'territorial' && rng.chance(0.7)) {
      const h = { org: o.key, asOf: '2025-09-01', employees: 0, ped: 0, students: 0, institutions: rng.int(8, 30) };
      await db('org_headcounts').insert({
        organization_id: o.id,
        as_of: h.asOf,
        employees_total: 0,
        employees_pedagogical: 0,
        students_total: 0,
        institutions_total: h.institutions,
      });
      model.headcounts.push(h);
    }
    if (!['primary', 'territorial', 'regional'].includes(o.level) || rng.chance(0.25)) continue;
    const status = rng.pick(['active', 'active', 'expired', 'negotiating', 'none'] as const);
    const signedOn =
      status === 'active' || status === 'expired' ? randomDate(rng, '2023-01-01', '2026-06-30') : undefined;
    const validFrom = signedOn && addDays(signedOn, rng.int(0, 20));
    const validTo = validFrom && addDays(validFrom, status === 'expired' ? rng.int(200, 900) : rng.int(700, 1100));
    const a = {
      org: o.key,
      status,
      noneReason: status === 'none' ? 'Работодатель уклоняется от переговоров' : undefined,
      signedOn,
      validFrom,
      validTo,
      regNo: signedOn && rng.chance(0.6) ? String(rng.int(1, 99)) : undefined,
      regDate: undefined as string | undefined,
      annexes: signedOn && rng.chance(0.5) ? ['Положение об оплате труда', 'Соглашение по охране труда'] : [],
    };
    if (a.regNo) a.regDate = addDays(validFrom!, 5);
    await db('collective_agreements').insert({
      organization_id: o.id,
      status,
      none_reason: a.noneReason ?? null,
      signed_on: signedOn ?? null,
      valid_from: validFrom ?? null,
      valid_to: validTo ?? null,
      registration_number: a.regNo ?? null,
      registration_date: a.regDate ?? null,
    });
    for (const title of a.annexes) await db('agreement_annexes').insert({ organization_id: o.id, title });
    model.agreements.set(o.key, a);
  }
}

async function buildOfficers(
  db: Knex,
  rng: Rng,
  model: UnionModel,
  names: Map<number, { surname: string; name: string }>,
) {
  let outsiders = 0;
  const outsider = () => {
    const sex: 'm' | 'f' = rng.chance(0.6) ? 'f' : 'm';
    return {
      person: `p:${++outsiders}`,
      sex,
      birth: randomDate(rng, '1960-01-01', '1999-12-31'),
      names: personNames(rng, sex),
    };
  };
  const memberOf = (unit: string) => {
    const on = model.onRecord('2025-10-01', (org) => org === unit);
    if (!on.length) return outsider();
    const { person } = rng.pick(on);
    return { person: `m:${person.id}`, sex: person.sex, birth: person.birth, names: names.get(person.id)! };
  };
  const add = async (org: string, post: string, who: ReturnType<typeof outsider>, extra: Partial<Officer> = {}) => {
    // one person holds a post of a body once (twice on one committee would break 31 >= max(22..30))
    if (model.officers.some((f) => f.org === org && f.post === post && f.person === who.person)) return;
    await addOfficer(
      db,
      model,
      {
        org,
        post,
        person: who.person,
        sex: who.sex,
        birth: who.birth,
        electedOn: randomDate(rng, '2019-01-01', '2025-06-30'),
        trainedOn: rng.chance(0.3) ? randomDate(rng, '2025-07-01', '2026-09-30') : undefined,
        ...extra,
      },
      who.names,
    );
  };
  const ppos = [...model.orgs.values()].filter((o) => o.level === 'primary');
  for (const o of model.orgs.values()) {
    if (o.level === 'primary') {
      const chair = memberOf(o.key);
      if (rng.chance(0.3)) {
        // the chair changes during the events
        const change = randomDate(rng, '2025-11-01', '2026-08-31');
        await add(o.key, 'chair', chair, { endedOn: change, salaried: rng.chance(0.4) });
        await add(o.key, 'chair', memberOf(o.key), { electedOn: change, salaried: rng.chance(0.4) });
      } else await add(o.key, 'chair', chair, { salaried: rng.chance(0.4) });
      if (rng.chance(0.7))
        await add(o.key, 'deputy', chair.person.startsWith('m:') && rng.chance(0.3) ? chair : memberOf(o.key));
      for (let i = rng.int(0, 3); i > 0; i--)
        await add(
          o.key,
          'committee',
          memberOf(o.key),
          rng.chance(0.2) ? { endedOn: randomDate(rng, '2025-10-02', '2026-09-30') } : {},
        );
      if (rng.chance(0.6)) await add(o.key, 'audit', memberOf(o.key));
      if (rng.chance(0.4)) await add(o.key, 'commission', memberOf(o.key));
      if (rng.chance(0.5)) await add(o.key, 'safety_rep', outsider());
      if (rng.chance(0.3)) await add(o.key, 'group_organizer', memberOf(o.key));
      // a member of this ППО on the committee of another ППО (of another subtree, often)
      if (rng.chance(0.25)) await add(rng.pick(ppos).key, 'committee', memberOf(o.key));
    } else if (o.level === 'subdivision' || o.level === 'group') {
      await add(o.key, 'chair', memberOf(o.key));
      if (o.level === 'subdivision' && rng.chance(0.5)) await add(o.key, 'commission', memberOf(o.key));
      if (rng.chance(0.3)) await add(o.key, 'safety_rep', memberOf(o.key));
    } else {
      await add(o.key, 'chair', outsider(), { salaried: rng.chance(0.8) });
      for (const post of [
        'deputy',
        'presidium',
        'presidium',
        'committee',
        'audit',
        'volunteer_inspector',
        ...STAFF_POSTS,
      ])
        if (rng.chance(0.6)) await add(o.key, post, outsider());
    }
  }
  // one person holding posts in several ППО at once: the line of distinct persons counts them once
  const busy = outsider();
  for (const ppo of ppos.slice(0, 3))
    await add(ppo.key, 'committee', busy, { electedOn: '2024-01-01', trainedOn: '2026-02-10' });
  const [firstPpo] = ppos;
  const someone = memberOf(firstPpo!.key);
  for (const ppo of ppos.slice(-3)) await add(ppo.key, 'audit', someone, { electedOn: '2024-03-01' });
}

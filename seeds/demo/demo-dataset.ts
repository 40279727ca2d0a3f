import type { Knex } from 'knex';
import type { Role } from '../../src/access/roles';
import { hashPassword } from '../../src/auth/password';
import { insertOrganization } from '../../src/registry/orgs.create';
import { FATHER_NAMES, FEMALE_NAMES, MALE_NAMES, SURNAMES, feminineSurname, seededRandom } from '../data/russian-names';
import { validSnils } from '../data/snils';
import { DEMO_REGION_REPORT_NAMES, REGIONAL_ORGANIZATIONS, UNION_STAT_REPORT_2021 } from '../data/regions';
import { DEMO_TREE, type DemoOrg } from './demo-tree';

export const DEMO_PASSWORD = 'demo-password-1';

export const DEMO_LOGINS: { username: string; role: Role; orgKey: string; fullName: string; description: string }[] = [
  {
    username: 'admin',
    role: 'admin',
    orgKey: 'union',
    fullName: 'Соколова Марина Викторовна',
    description: 'федеральный администратор',
  },
  {
    username: 'coordinator',
    role: 'coordinator',
    orgKey: 'tatarstan',
    fullName: 'Галиев Ринат Ильдарович',
    description: 'координатор, Республика Татарстан',
  },
  {
    username: 'chair',
    role: 'chair',
    orgKey: 'gymnasium7',
    fullName: 'Волкова Елена Сергеевна',
    description: 'председатель ППО Гимназии № 7 г. Казани',
  },
  {
    username: 'curator',
    role: 'curator',
    orgKey: 'tatarstan',
    fullName: 'Петров Игорь Семёнович',
    description: 'куратор (только просмотр), Республика Татарстан',
  },
  {
    username: 'stat',
    role: 'statistician',
    orgKey: 'tatarstan',
    fullName: 'Лебедева Ольга Николаевна',
    description: 'статистик, Республика Татарстан',
  },
  {
    username: 'member',
    role: 'member',
    orgKey: 'gymnasium7',
    fullName: 'Морозов Андрей Павлович',
    description: 'член Профсоюза, личный кабинет',
  },
];

export async function isDemoDatasetLoaded(db: Knex): Promise<boolean> {
  return (await db('users').where({ username: 'admin' }).first('id')) !== undefined;
}

/** No organization yet: a new installation, where the demo union may be built. */
export async function isRegistryEmpty(db: Knex): Promise<boolean> {
  return (await db('organizations').first('id')) === undefined;
}

/** Builds the demo union on an empty database, in one transaction. Deterministic. */
export async function loadDemoDataset(db: Knex, bcryptCost: number): Promise<void> {
  const passwordHash = await hashPassword(DEMO_PASSWORD, bcryptCost);
  await db.transaction(async (trx) => {
    const random = seededRandom(20261123);
    const orgIds = new Map<string, number>();
    const members: Record<string, unknown>[] = [];

    const walk = async (node: DemoOrg, parentId: number | null) => {
      const org = await insertOrganization(trx, {
        parentId,
        level: node.level,
        name: node.name,
        shortName: node.shortName ?? null,
        regionCode: node.regionCode,
        employerKind: node.employerKind ?? null,
        hasTerritorialRights: node.hasTerritorialRights ?? false,
        createdOn: '2015-01-01',
      });
      if (node.key) orgIds.set(node.key, org.id);
      if (node.level !== 'union') await demoPassport(trx, random, org.id, node, members.length);
      for (let i = 0; i < (node.members ?? 0); i++) members.push(demoMember(random, org.id, node.studentShare ?? 0.03));
      for (const child of node.children ?? []) await walk(child, org.id);
    };
    await walk(DEMO_TREE, null);

    // The demo chair is a member of her ППО: the second active member generated in Гимназия № 7 (the first
    // becomes the demo member's own card), made her before the cards are written so her history is hers.
    const gymnasium = members.filter((m) => m.organization_id === orgIds.get('gymnasium7') && m.left_on === null);
    Object.assign(gymnasium[1]!, {
      surname: 'Волкова',
      name: 'Елена',
      patronymic: 'Сергеевна',
      sex: 'f',
      birth_date: '1984-05-12',
      category: 'working',
      is_pedagogical: true,
      joined_on: '2008-09-01',
    });

    const memberIds: number[] = [];
    for (let i = 0; i < members.length; i += 500) {
      const inserted = await trx('members')
        .insert(members.slice(i, i + 500))
        .returning('id');
      memberIds.push(...inserted.map((r: { id: number }) => Number(r.id)));
    }
    await demoHistory(trx, random, memberIds, members);
    await demoCardsAndConsents(trx, random, memberIds, members);

    // The demo member's own card: the first active member generated in Гимназия № 7.
    const ownCardId =
      memberIds[members.findIndex((m) => m.organization_id === orgIds.get('gymnasium7') && m.left_on === null)];
    await trx('members')
      .where({ id: ownCardId })
      .update({ surname: 'Морозов', name: 'Андрей', patronymic: 'Павлович', sex: 'm' });

    // The demo chair is the chair on record of Гимназия № 7, with a current term.
    await trx('org_officers')
      .where({ organization_id: orgIds.get('gymnasium7'), post: 'chair' })
      .delete();
    await trx('org_officers').insert({
      organization_id: orgIds.get('gymnasium7'),
      post: 'chair',
      surname: 'Волкова',
      name: 'Елена',
      patronymic: 'Сергеевна',
      member_id: memberIds[members.indexOf(gymnasium[1]!)],
      elected_on: '2024-03-15',
      term_until: '2029-03-15',
      salaried: false,
      protocol_number: '7',
      protocol_date: '2024-03-15',
    });
    await demoOfficerPersons(trx, random);
    await demoDeclaredFigures(trx, orgIds);

    for (const login of DEMO_LOGINS) {
      const [user] = await trx('users')
        .insert({
          username: login.username,
          password_hash: passwordHash,
          must_change_password: false,
          full_name: login.fullName,
          member_id: login.role === 'member' ? ownCardId : null,
        })
        .returning('id');
      await trx('role_grants').insert({
        user_id: user.id,
        role: login.role,
        organization_id: orgIds.get(login.orgKey),
      });
    }
  });
}

const LEFT_REASONS = [
  'voluntary',
  'voluntary',
  'dismissed',
  'dismissed',
  'graduated',
  'other',
  'expelled',
  'died',
] as const;

/**
 * Several years of membership history for every card: admission, for some a transfer from a
 * neighbouring ППО or a change from student to working, and for those who left, the exit with a reason.
 */
async function demoHistory(
  trx: Knex.Transaction,
  random: ReturnType<typeof seededRandom>,
  ids: number[],
  members: Record<string, unknown>[],
) {
  const orgs = await trx('organizations').select('id', 'parent_id', 'level');
  const siblingsOf = (orgId: number) => {
    const parent = orgs.find((o) => o.id === orgId)?.parent_id;
    return orgs
      .filter((o) => o.parent_id === parent && o.id !== orgId && o.level === 'primary')
      .map((o) => o.id as number);
  };
  const periods: Record<string, unknown>[] = [];
  const events: Record<string, unknown>[] = [];
  members.forEach((m, i) => {
    const id = ids[i]!;
    const joined = m.joined_on as string;
    const left = m.left_on as string | null;
    const orgId = m.organization_id as number;
    const end = left ?? '2026-11-01';
    const midpoint = (from: string, to: string) => {
      const a = Date.parse(from);
      const b = Date.parse(to);
      return new Date(a + (b - a) * (0.3 + random.next() * 0.4)).toISOString().slice(0, 10);
    };
    const siblings = siblingsOf(orgId);
    let startOrg = orgId;
    let startCategory = m.category as string;
    let change: { on: string; kind: 'transferred' | 'category_changed' } | undefined;
    if (siblings.length && random.chance(0.12) && end > joined) {
      startOrg = random.pick(siblings);
      change = { on: midpoint(joined, end), kind: 'transferred' };
    } else if (m.category === 'working' && random.chance(0.1) && end > joined) {
      startCategory = 'student';
      change = { on: midpoint(joined, end), kind: 'category_changed' };
    }
    const admitted = {
      member_id: id,
      kind: 'admitted',
      happened_on: joined,
      to_organization_id: startOrg,
      category: startCategory,
      document_number: String(random.int(1, 400)),
    };
    events.push(admitted);
    if (change && change.on > joined && change.on < end) {
      periods.push({
        member_id: id,
        organization_id: startOrg,
        category: startCategory,
        is_pedagogical: startCategory === 'working' && Boolean(m.is_pedagogical),
        valid_from: joined,
        valid_to: change.on,
      });
      periods.push({
        member_id: id,
        organization_id: orgId,
        category: m.category,
        is_pedagogical: m.is_pedagogical,
        valid_from: change.on,
        valid_to: left,
      });
      events.push(
        change.kind === 'transferred'
          ? {
              member_id: id,
              kind: 'transferred',
              happened_on: change.on,
              from_organization_id: startOrg,
              to_organization_id: orgId,
            }
          : { member_id: id, kind: 'category_changed', happened_on: change.on, category: m.category },
      );
    } else {
      admitted.to_organization_id = orgId;
      admitted.category = m.category as string;
      periods.push({
        member_id: id,
        organization_id: orgId,
        category: m.category,
        is_pedagogical: m.is_pedagogical,
        valid_from: joined,
        valid_to: left,
      });
    }
    if (left)
      events.push({
        member_id: id,
        kind: 'left',
        happened_on: left,
        from_organization_id: orgId,
        reason: random.pick(LEFT_REASONS),
      });
  });
  for (let i = 0; i < periods.length; i += 500) await trx('member_periods').insert(periods.slice(i, i + 500));
  for (let i = 0; i < events.length; i += 500) await trx('membership_events').insert(events.slice(i, i + 500));
  const reasons = events.filter((e) => e.kind === 'left');
  for (const e of reasons)
    await trx('members')
      .where({ id: e.member_id as number })
      .update({ left_reason: e.reason as string });
}

const CARD_LINE = [
  'requested',
  'sent_to_production',
  'produced',
  'delivered_to_region',
  'handed_to_organization',
  'issued',
] as const;

/** Cards in every status (most issued, a box delivered but not handed out, some refused) and consents for most people. */
async function demoCardsAndConsents(
  trx: Knex.Transaction,
  random: ReturnType<typeof seededRandom>,
  ids: number[],
  members: Record<string, unknown>[],
) {
  const regionOf = new Map(
    (await trx('organizations').select('id', 'region_code')).map((o) => [o.id as number, o.region_code as number]),
  );
  let seq = 0;
  for (const [i, m] of members.entries()) {
    const id = ids[i]!;
    const left = m.left_on as string | null;
    if (random.chance(0.8)) {
      await trx('member_consents').insert({
        member_id: id,
        kind: 'processing',
        text_version: '2021-1',
        source: random.chance(0.7) ? 'paper' : 'online',
        given_on: m.joined_on,
        withdrawn_on: left,
      });
      if (random.chance(0.6))
        await trx('member_consents').insert({
          member_id: id,
          kind: 'mailing',
          channel: 'email',
          text_version: '2021-1',
          source: 'online',
          given_on: m.joined_on,
          withdrawn_on: left,
        });
    }
    if (!random.chance(0.75)) continue;
    const roll = random.next();
    const status = left
      ? 'blocked'
      : roll < 0.55
        ? 'issued'
        : roll < 0.7
          ? 'delivered_to_region'
          : roll < 0.78
            ? 'handed_to_organization'
            : roll < 0.86
              ? 'produced'
              : roll < 0.9
                ? 'sent_to_production'
                : roll < 0.94
                  ? 'requested'
                  : roll < 0.97
                    ? 'refused'
                    : 'lost';
    const number = `${String(regionOf.get(m.organization_id as number) ?? 0).padStart(2, '0')}${String(++seq).padStart(8, '0')}`;
    const [card] = await trx('union_cards')
      .insert({
        number,
        member_id: id,
        kind: random.chance(0.85) ? 'plastic' : 'virtual',
        status,
        status_on: left ?? '2025-11-01',
      })
      .returning('id');
    const steps =
      status === 'blocked' || status === 'refused' || status === 'lost'
        ? ['requested', status]
        : CARD_LINE.slice(0, CARD_LINE.indexOf(status as (typeof CARD_LINE)[number]) + 1);
    await trx('union_card_events').insert(
      steps.map((to, step) => ({
        card_id: card.id,
        from_status: step ? steps[step - 1] : null,
        to_status: to,
        happened_on: step === steps.length - 1 ? (left ?? '2025-11-01') : '2025-03-01',
        reason: to === 'refused' ? 'Отказ от получения' : to === 'blocked' ? 'Выход из Профсоюза' : null,
      })),
    );
  }
  await trx.raw("SELECT setval('union_card_number_seq', ?)", [seq + 1]);
}

/**
 * A realistic, deliberately imperfect passport: most organizations have a chair with a term, some
 * terms have expired, a few chairs are missing; ППО have headcounts and most have an agreement.
 */
async function demoPassport(
  trx: Knex.Transaction,
  random: ReturnType<typeof seededRandom>,
  organizationId: number,
  node: DemoOrg,
  seq: number,
) {
  const unit = node.level === 'subdivision' || node.level === 'group';
  if (!unit) {
    await trx('organizations')
      .where({ id: organizationId })
      .update({
        email: random.chance(0.85) ? `org${organizationId}@eseur-demo.ru` : null,
        phone: `+7${random.int(3000000000, 9999999999)}`,
      });
  }
  if (random.chance(0.9)) {
    const female = random.chance(0.75);
    const surname = random.pick(SURNAMES);
    const electedYear = random.int(2019, 2025);
    const termYears = random.pick([5, 5, 5, 3]);
    const noTerm = random.chance(0.08);
    await trx('org_officers').insert({
      organization_id: organizationId,
      post: node.level === 'group' ? 'group_organizer' : 'chair',
      surname: female ? feminineSurname(surname) : surname,
      name: female ? random.pick(FEMALE_NAMES) : random.pick(MALE_NAMES),
      patronymic: random.pick(FATHER_NAMES)[female ? 1 : 0],
      elected_on: isoDate(electedYear, random.int(1, 12), random.int(1, 28)),
      // overwritten by the level's term rule (trigger org_officers_compute_term); still drawn so the demo stays the same
      term_until: noTerm ? null : isoDate(electedYear + termYears, random.int(1, 12), random.int(1, 28)),
      salaried: node.level === 'regional' || node.level === 'territorial',
      protocol_number: String(random.int(1, 30)),
    });
  }
  if (node.level === 'primary') {
    const employees = Math.max(node.members ?? 0, 10) + random.int(3, 25);
    await trx('org_headcounts').insert({
      organization_id: organizationId,
      as_of: '2025-09-01',
      employees_total: employees,
      employees_pedagogical: Math.round(employees * 0.6),
      students_total:
        node.employerKind === 'university' || node.employerKind === 'college'
          ? random.int(800, 4000)
          : random.int(0, 900),
    });
    if (random.chance(0.8)) {
      const signedYear = random.int(2021, 2025);
      await trx('collective_agreements').insert({
        organization_id: organizationId,
        status: signedYear + 3 < 2026 ? 'expired' : 'active',
        signed_on: isoDate(signedYear, 2, 1),
        valid_from: isoDate(signedYear, 2, 1),
        valid_to: isoDate(signedYear + 3, 1, 31),
        registration_number: `${seq}-КД`,
        registration_date: isoDate(signedYear, 2, 20),
      });
    } else {
      await trx('collective_agreements').insert({ organization_id: organizationId, status: 'negotiating' });
    }
  }
}

/**
 * Officers are people: a chair of a ППО, subdivision or group is one of its members (the longest-standing
 * one on record); a chair of a territorial or regional organization, who is on record in some school
 * elsewhere, is entered as a person by SNILS with the sex the generated name has.
 */
async function demoOfficerPersons(trx: Knex.Transaction, random: ReturnType<typeof seededRandom>) {
  await trx.raw(`
    UPDATE org_officers f SET member_id = pick.id, surname = pick.surname, name = pick.name, patronymic = pick.patronymic
      FROM (SELECT DISTINCT ON (f.id) f.id AS officer_id, m.id, m.surname, m.name, m.patronymic
              FROM org_officers f JOIN members m ON m.organization_id = f.organization_id AND m.left_on IS NULL
             WHERE f.member_id IS NULL
             ORDER BY f.id, m.joined_on, m.id) pick
     WHERE f.id = pick.officer_id`);
  const rest = await trx('org_officers')
    .whereNull('member_id')
    .orderBy('id')
    .select('id', 'surname', 'name', 'patronymic');
  for (const [i, officer] of rest.entries()) {
    const [person] = await trx('persons')
      .insert({
        snils: validSnils(700_000_000 + i),
        surname: officer.surname,
        name: officer.name,
        patronymic: officer.patronymic,
        sex: FEMALE_NAMES.includes(officer.name) ? 'f' : 'm',
        birth_date: isoDate(random.int(1962, 1990), random.int(1, 12), random.int(1, 28)),
      })
      .returning('id');
    await trx('org_officers').where({ id: officer.id }).update({ person_id: person.id });
  }
}

function demoMember(random: ReturnType<typeof seededRandom>, organizationId: number, studentShare: number) {
  const female = random.chance(0.78); // the education workforce is mostly women
  const student = random.chance(studentShare);
  const pensioner = !student && random.chance(0.04);
  const unemployed = !student && !pensioner && random.chance(0.02);
  const birthYear = student ? random.int(2000, 2007) : pensioner ? random.int(1950, 1962) : random.int(1962, 2001);
  const joinedYear = Math.max(birthYear + 17, random.int(1990, 2025));
  const left = joinedYear < 2025 && random.chance(0.08);
  const surname = random.pick(SURNAMES);
  return {
    organization_id: organizationId,
    surname: female ? feminineSurname(surname) : surname,
    name: female ? random.pick(FEMALE_NAMES) : random.pick(MALE_NAMES),
    patronymic: random.pick(FATHER_NAMES)[female ? 1 : 0],
    sex: female ? 'f' : 'm',
    birth_date: isoDate(birthYear, random.int(1, 12), random.int(1, 28)),
    phone: `+79${String(random.int(0, 999_999_999)).padStart(9, '0')}`,
    email: null,
    category: student ? 'student' : pensioner ? 'pensioner' : unemployed ? 'unemployed' : 'working',
    is_pedagogical: !student && !pensioner && !unemployed && random.chance(0.7),
    joined_on: isoDate(Math.min(joinedYear, 2025), random.int(1, 12), random.int(1, 28)),
    left_on: left ? isoDate(random.int(joinedYear + 1, 2025), random.int(1, 12), random.int(1, 28)) : null,
  };
}

function isoDate(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * The statistical report of 01.01.2021 as the monitoring's declared figures (issue #17): the union's totals
 * and each demo region's published member count (seeds/data/regions.ts, from shared/data). The demo tree holds
 * four of the 80 regions, so the other 76 regions' figures have no organization to belong to here; the scale
 * seed's union has all 80.
 */
async function demoDeclaredFigures(trx: Knex, orgIds: Map<string, number>) {
  const { onDate, membersTotal, working, student, pensioner, territorialOrgs, primaryOrgs } = UNION_STAT_REPORT_2021;
  const rows: Record<string, unknown>[] = [
    {
      organization_id: orgIds.get('union'),
      on_date: onDate,
      members_total: membersTotal,
      working,
      student,
      pensioner,
      territorial_orgs: territorialOrgs,
      primary_orgs: primaryOrgs,
      source: 'imported',
    },
  ];
  for (const [key, name] of Object.entries(DEMO_REGION_REPORT_NAMES)) {
    const members = REGIONAL_ORGANIZATIONS.find((r) => r.name === name)?.members;
    if (members != null && orgIds.has(key))
      rows.push({ organization_id: orgIds.get(key), on_date: onDate, members_total: members, source: 'imported' });
  }
  await trx('declared_figures').insert(rows);
}

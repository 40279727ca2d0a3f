import type { Knex } from 'knex';
import type { Role } from '../../src/access/roles';
import { hashPassword } from '../../src/auth/password';
import { insertOrganization } from '../../src/registry/orgs.create';
import { FATHER_NAMES, FEMALE_NAMES, MALE_NAMES, SURNAMES, feminineSurname, seededRandom } from '../data/russian-names';
import { DEMO_TREE, type DemoOrg } from './demo-tree';

export const DEMO_PASSWORD = 'demo-password-1';

export const DEMO_LOGINS: { username: string; role: Role; orgKey: string; fullName: string; description: string }[] = [
  { username: 'admin', role: 'admin', orgKey: 'union', fullName: 'Соколова Марина Викторовна', description: 'федеральный администратор' },
  { username: 'coordinator', role: 'coordinator', orgKey: 'tatarstan', fullName: 'Галиев Ринат Ильдарович', description: 'координатор, Республика Татарстан' },
  { username: 'chair', role: 'chair', orgKey: 'gymnasium7', fullName: 'Волкова Елена Сергеевна', description: 'председатель ППО Гимназии № 7 г. Казани' },
  { username: 'stat', role: 'statistician', orgKey: 'tatarstan', fullName: 'Лебедева Ольга Николаевна', description: 'статистик, Республика Татарстан' },
  { username: 'member', role: 'member', orgKey: 'gymnasium7', fullName: 'Морозов Андрей Павлович', description: 'член Профсоюза, личный кабинет' },
];


export async function isDemoDatasetLoaded(db: Knex): Promise<boolean> {
  return (await db('users').where({ username: 'admin' }).first('id')) !== undefined;
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
        parentId, level: node.level, name: node.name, shortName: node.shortName ?? null, regionCode: node.regionCode,
        employerKind: node.employerKind ?? null, hasTerritorialRights: node.hasTerritorialRights ?? false, createdOn: '2015-01-01',
      });
      if (node.key) orgIds.set(node.key, org.id);
      if (node.level !== 'union') await demoPassport(trx, random, org.id, node, members.length);
      for (let i = 0; i < (node.members ?? 0); i++) members.push(demoMember(random, org.id, node.studentShare ?? 0.03));
      for (const child of node.children ?? []) await walk(child, org.id);
    };
    await walk(DEMO_TREE, null);

    const memberIds: number[] = [];
    for (let i = 0; i < members.length; i += 500) {
      const inserted = await trx('members').insert(members.slice(i, i + 500)).returning('id');
      memberIds.push(...inserted.map((r: { id: number }) => Number(r.id)));
    }
    // The demo member's own card: the first member generated in Гимназия № 7.
    const ownCardId = memberIds[members.findIndex((m) => m.organization_id === orgIds.get('gymnasium7'))];
    await trx('members').where({ id: ownCardId }).update({ surname: 'Морозов', name: 'Андрей', patronymic: 'Павлович', sex: 'm', left_on: null });

    // The demo chair is the chair on record of Гимназия № 7, with a current term.
    await trx('org_officers').where({ organization_id: orgIds.get('gymnasium7'), post: 'chair' }).delete();
    await trx('org_officers').insert({
      organization_id: orgIds.get('gymnasium7'), post: 'chair', surname: 'Волкова', name: 'Елена', patronymic: 'Сергеевна',
      elected_on: '2024-03-15', term_until: '2029-03-15', salaried: false, protocol_number: '7', protocol_date: '2024-03-15',
    });

    for (const login of DEMO_LOGINS) {
      const [user] = await trx('users')
        .insert({
          username: login.username, password_hash: passwordHash, must_change_password: false, full_name: login.fullName,
          member_id: login.role === 'member' ? ownCardId : null,
        })
        .returning('id');
      await trx('role_grants').insert({ user_id: user.id, role: login.role, organization_id: orgIds.get(login.orgKey) });
    }
  });
}

/**
 * A realistic, deliberately imperfect passport: most organizations have a chair with a term, some
 * terms have expired, a few chairs are missing; ППО have headcounts and most have an agreement.
 */
async function demoPassport(trx: Knex.Transaction, random: ReturnType<typeof seededRandom>, organizationId: number, node: DemoOrg, seq: number) {
  const unit = node.level === 'subdivision' || node.level === 'group';
  if (!unit) {
    await trx('organizations').where({ id: organizationId }).update({
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
      term_until: noTerm ? null : isoDate(electedYear + termYears, random.int(1, 12), random.int(1, 28)),
      salaried: node.level === 'regional' || node.level === 'territorial',
      protocol_number: String(random.int(1, 30)),
    });
  }
  if (node.level === 'primary') {
    const employees = Math.max(node.members ?? 0, 10) + random.int(3, 25);
    await trx('org_headcounts').insert({
      organization_id: organizationId, as_of: '2025-09-01', employees_total: employees,
      employees_pedagogical: Math.round(employees * 0.6), students_total: node.employerKind === 'university' || node.employerKind === 'college' ? random.int(800, 4000) : random.int(0, 900),
    });
    if (random.chance(0.8)) {
      const signedYear = random.int(2021, 2025);
      await trx('collective_agreements').insert({
        organization_id: organizationId, status: signedYear + 3 < 2026 ? 'expired' : 'active',
        signed_on: isoDate(signedYear, 2, 1), valid_from: isoDate(signedYear, 2, 1), valid_to: isoDate(signedYear + 3, 1, 31),
        registration_number: `${seq}-КД`, registration_date: isoDate(signedYear, 2, 20),
      });
    } else {
      await trx('collective_agreements').insert({ organization_id: organizationId, status: 'negotiating' });
    }
  }
}

function demoMember(random: ReturnType<typeof seededRandom>, organizationId: number, studentShare: number) {
  const female = random.chance(0.78); // the education workforce is mostly women
  const student = random.chance(studentShare);
  const pensioner = !student && random.chance(0.04);
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
    category: student ? 'student' : pensioner ? 'pensioner' : 'working',
    is_pedagogical: !student && !pensioner && random.chance(0.7),
    joined_on: isoDate(Math.min(joinedYear, 2025), random.int(1, 12), random.int(1, 28)),
    left_on: left ? isoDate(random.int(joinedYear + 1, 2025), random.int(1, 12), random.int(1, 28)) : null,
  };
}

function isoDate(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}


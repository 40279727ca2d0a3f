import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Role } from '../../src/access/roles';
import { hashPassword } from '../../src/auth/password';
import type { EmployerKind, Level } from '../../src/registry/levels';
import { insertOrganization } from '../../src/registry/orgs.create';
import { findOrgById, type OrgRow } from '../../src/registry/orgs.repo';

export const TEST_PASSWORD = 'проверочная фраза 2026';
const hashes = new Map<string, Promise<string>>();
/**
 * The fixtures' users are stored with bcrypt's lowest cost: a login verifies at the stored hash's cost, and
 * at the production cost (12, ~0.25 s of CPU) the suite's many logins cost minutes of its 2 cores. Only
 * these rows are cheap: what the app hashes itself (a changed password, an invitation) uses the configured
 * cost, and auth-sessions.test.ts checks that a changed password is stored at cost 12. Each password is
 * still hashed once per test process.
 */
const FIXTURE_BCRYPT_COST = 4;
function hashOnce(password: string) {
  if (!hashes.has(password)) hashes.set(password, hashPassword(password, FIXTURE_BCRYPT_COST));
  return hashes.get(password)!;
}

export const uniq = (prefix: string) => `${prefix}${crypto.randomBytes(4).toString('hex')}`;

/** The single union root of a test database, created on first use. */
export async function unionRoot(db: Knex): Promise<OrgRow> {
  const existing = await db('organizations').where({ level: 'union' }).first('id');
  if (existing) return (await findOrgById(db, existing.id))!;
  return insertOrganization(db, { parentId: null, level: 'union', name: 'Общероссийский Профсоюз образования' });
}

export async function createOrg(
  db: Knex,
  parent: OrgRow,
  level: Level,
  extra: {
    name?: string;
    regionCode?: number;
    hasTerritorialRights?: boolean;
    employerKind?: EmployerKind;
    createdOn?: string;
  } = {},
) {
  return insertOrganization(db, {
    parentId: parent.id,
    level,
    name: extra.name ?? uniq(`Организация ${level} `),
    regionCode: extra.regionCode ?? 77,
    hasTerritorialRights: extra.hasTerritorialRights,
    employerKind: extra.employerKind ?? (level === 'primary' ? 'school' : null),
    // organizations of the fixtures exist long before any reporting date a test asks about
    createdOn: extra.createdOn ?? '2000-01-01',
  });
}

/** union → region → territory → ППО, the shape most tests need. */
export async function createRegionTree(db: Knex, regionCode = 77) {
  const union = await unionRoot(db);
  const region = await createOrg(db, union, 'regional', { regionCode, name: uniq('Региональная организация ') });
  const territory = await createOrg(db, region, 'territorial');
  const primary = await createOrg(db, territory, 'primary');
  return { union, region, territory, primary };
}

/** `org` with its subtree moved below `parent` past the services: the paths rewritten in one statement, as a restructuring does. */
export function moveSubtree(db: Knex, org: OrgRow, parent: OrgRow) {
  return db.raw(
    `UPDATE organizations o SET parent_id = CASE WHEN o.id = ? THEN ? ELSE o.parent_id END, path = ?::ltree || subpath(o.path, nlevel(?::ltree) - 1)
      WHERE o.path <@ ?::ltree`,
    [org.id, parent.id, parent.path, org.path, org.path],
  );
}

export interface TestUser {
  id: number;
  username: string;
  password: string;
}

export async function createUser(
  db: Knex,
  grants: { role: Role; org: OrgRow }[],
  options: { password?: string; mustChangePassword?: boolean; username?: string } = {},
): Promise<TestUser> {
  const password = options.password ?? TEST_PASSWORD;
  const username = options.username ?? uniq('user-');
  const [user] = await db('users')
    .insert({
      username,
      password_hash: await hashOnce(password),
      must_change_password: options.mustChangePassword ?? false,
      full_name: 'Тестова Анна Ивановна',
    })
    .returning('id');
  for (const g of grants) await db('role_grants').insert({ user_id: user.id, role: g.role, organization_id: g.org.id });
  return { id: user.id, username, password };
}

export async function createMembers(db: Knex, org: OrgRow, count: number, extra: Record<string, unknown> = {}) {
  const rows = Array.from({ length: count }, () => ({
    organization_id: org.id,
    surname: 'Петрова',
    name: 'Мария',
    patronymic: 'Ивановна',
    sex: 'f',
    birth_date: '1985-05-05',
    category: 'working',
    joined_on: '2010-09-01',
    ...extra,
  }));
  if (!rows.length) return [];
  // A card and its history commit together: the database refuses a card without its open period.
  return db.transaction(async (trx) => {
    const inserted: { id: number }[] = await trx('members').insert(rows).returning('id');
    const ids = inserted.map((r) => Number(r.id));
    // The history that the registry keeps for every card: a period and its admission (and exit) events.
    await trx.raw(
      `INSERT INTO member_periods (member_id, organization_id, category, is_pedagogical, valid_from, valid_to)
         SELECT id, organization_id, category, is_pedagogical, joined_on, left_on FROM members WHERE id = ANY(?::bigint[])`,
      [ids],
    );
    await trx.raw(
      `INSERT INTO membership_events (member_id, kind, happened_on, to_organization_id, category)
         SELECT id, 'admitted', joined_on, organization_id, category FROM members WHERE id = ANY(?::bigint[])`,
      [ids],
    );
    await trx.raw(
      `INSERT INTO membership_events (member_id, kind, happened_on, from_organization_id, reason)
         SELECT id, 'left', left_on, organization_id, 'voluntary' FROM members WHERE id = ANY(?::bigint[]) AND left_on IS NOT NULL`,
      [ids],
    );
    return ids;
  });
}

/**
 * A ППО's present chair (a non-member person) whose term ends on `term_until`: the end is computed from the
 * election date by the level's rule (five years unless a test changes it), so the chair is elected five years
 * before; without an end, elected on 01.01.2020 (insert it under `withoutTermRule` for a chair with no term).
 */
export const chairRow = (organization_id: number, term_until: string | null) => ({
  organization_id,
  post: 'chair',
  surname: 'Иванова',
  name: 'Анна',
  elected_on: term_until ? `${Number(term_until.slice(0, 4)) - 5}${term_until.slice(4)}` : '2020-01-01',
});

/** Runs `work` while the level's post has no term rule: the officers it writes get no term's end. */
export async function withoutTermRule<T>(db: Knex, level: string, post: string, work: () => Promise<T>): Promise<T> {
  const { years } = await db('term_rules').where({ level, post }).first('years');
  await db('term_rules').where({ level, post }).update({ years: null });
  try {
    return await work();
  } finally {
    await db('term_rules').where({ level, post }).update({ years });
  }
}

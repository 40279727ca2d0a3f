import type { Knex } from 'knex';
import type { Role } from '../access/roles';
import { containsPattern } from '../shared/match-key';

export type UserStatus = 'active' | 'blocked' | 'never_signed_in';

export interface UserListFilter {
  q?: string;
  /** the subtree of this organization's path: users with a grant in it */
  orgPath?: string;
  role?: Role;
  status?: UserStatus;
  /** the username of the last row of the previous page */
  after?: string;
}

export interface UserGrantRow {
  id: number;
  role: Role;
  organizationId: number;
  inpo: string;
  organizationName: string;
  organizationPath: string;
  validUntil: string | null;
  grantedAt: Date;
  grantedByName: string | null;
  expired: boolean;
}

export interface UserListRow {
  id: number;
  username: string;
  fullName: string;
  email: string | null;
  blockedAt: Date | null;
  lastLoginAt: Date | null;
  grants: { role: Role; inpo: string; name: string; validUntil: string | null }[];
}

export interface UserDetailRow {
  id: number;
  username: string;
  fullName: string;
  email: string | null;
  emailVerifiedAt: Date | null;
  blockedAt: Date | null;
  lastLoginAt: Date | null;
  createdAt: Date;
  mustChangePassword: boolean;
}

/**
 * One keyset page of users, ordered by login. `scope` (the manager's subtrees; null for the federal
 * administrator) and the organization and role filters apply to the same grant: "a chair in Tula" is one
 * grant, not a chair somewhere and any grant in Tula.
 */
export async function listUsers(
  db: Knex,
  scope: string[] | null,
  filter: UserListFilter,
  limit: number,
): Promise<UserListRow[]> {
  const grantConditions: string[] = [];
  const bindings: unknown[] = [];
  const grantWhere = (condition: string, binding: unknown) => {
    grantConditions.push(condition);
    bindings.push(binding);
  };
  if (scope) grantWhere('o.path <@ ANY(?::ltree[])', scope);
  if (filter.orgPath) grantWhere('o.path <@ ?::ltree', filter.orgPath);
  if (filter.role) grantWhere('g.role = ?', filter.role);
  const q = db('users as u')
    .select({
      id: 'u.id',
      username: 'u.username',
      fullName: 'u.full_name',
      email: 'u.email',
      blockedAt: 'u.blocked_at',
      lastLoginAt: 'u.last_login_at',
      grants:
        db.raw(`coalesce((SELECT json_agg(json_build_object('role', g.role, 'inpo', o.inpo, 'name', o.name, 'validUntil', g.valid_until) ORDER BY o.path, g.role)
                         FROM role_grants g JOIN organizations o ON o.id = g.organization_id WHERE g.user_id = u.id), '[]')`),
    })
    .orderBy('u.username')
    .limit(limit);
  if (grantConditions.length) {
    q.whereRaw(
      `EXISTS (SELECT 1 FROM role_grants g JOIN organizations o ON o.id = g.organization_id WHERE g.user_id = u.id AND ${grantConditions.join(' AND ')})`,
      bindings as Knex.RawBinding[],
    );
  }
  const searched = filter.q ? containsPattern(filter.q) : null;
  // users_search_key_idx; names compared by match_key() as everywhere ("семенов" finds «Семёнов»)
  if (searched)
    q.whereRaw("match_key(u.username || ' ' || u.full_name || ' ' || coalesce(u.email, '')) LIKE ?", [searched]);
  if (filter.status === 'blocked') q.whereNotNull('u.blocked_at');
  if (filter.status === 'active') q.whereNull('u.blocked_at');
  if (filter.status === 'never_signed_in') q.whereNull('u.blocked_at').whereNull('u.last_login_at');
  if (filter.after) q.where('u.username', '>', filter.after);
  return q;
}

export async function findUserDetail(db: Knex, id: number): Promise<UserDetailRow | undefined> {
  return db('users').where({ id }).first({
    id: 'id',
    username: 'username',
    fullName: 'full_name',
    email: 'email',
    emailVerifiedAt: 'email_verified_at',
    blockedAt: 'blocked_at',
    lastLoginAt: 'last_login_at',
    createdAt: 'created_at',
    mustChangePassword: 'must_change_password',
  });
}

/** Every grant of the user, expired ones too (marked): the page shows what was given and until when. */
export async function listUserGrants(db: Knex, userId: number): Promise<UserGrantRow[]> {
  return db('role_grants as g')
    .join('organizations as o', 'o.id', 'g.organization_id')
    .leftJoin('users as b', 'b.id', 'g.granted_by')
    .where('g.user_id', userId)
    .orderBy([{ column: 'o.path' }, { column: 'g.role' }])
    .select({
      id: 'g.id',
      role: 'g.role',
      organizationId: 'o.id',
      inpo: 'o.inpo',
      organizationName: 'o.name',
      organizationPath: 'o.path',
      validUntil: db.raw("to_char(g.valid_until, 'YYYY-MM-DD')"),
      grantedAt: 'g.granted_at',
      grantedByName: 'b.full_name',
      expired: db.raw('coalesce(g.valid_until < CURRENT_DATE, false)'),
    });
}

export async function findGrant(db: Knex, grantId: number): Promise<(UserGrantRow & { userId: number }) | undefined> {
  return db('role_grants as g')
    .join('organizations as o', 'o.id', 'g.organization_id')
    .where('g.id', grantId)
    .first({
      id: 'g.id',
      userId: 'g.user_id',
      role: 'g.role',
      organizationId: 'o.id',
      inpo: 'o.inpo',
      organizationName: 'o.name',
      organizationPath: 'o.path',
      validUntil: db.raw("to_char(g.valid_until, 'YYYY-MM-DD')"),
    });
}

/** The user's open sessions (the store's rows), newest expiry first: when each was last used is its expiry minus the idle timeout. */
export async function listUserSessions(
  db: Knex,
  userId: number,
): Promise<{ expiresAt: Date; authenticatedAt: number | null }[]> {
  const rows = await db('sessions')
    .whereRaw("(sess -> 'passport' ->> 'user') = ?", [String(userId)])
    .where('expire', '>', db.fn.now())
    .orderBy('expire', 'desc')
    .select({ expiresAt: 'expire', authenticatedAt: db.raw("(sess ->> 'authenticatedAt')::bigint") });
  return rows.map((r) => ({
    expiresAt: r.expiresAt,
    authenticatedAt: r.authenticatedAt == null ? null : Number(r.authenticatedAt),
  }));
}

/** Successful sign-ins (audit rows) and refused passwords (throttle counters) of the last weeks, newest first. */
export async function listLoginHistory(
  db: Knex,
  user: { id: number; username: string },
  limit: number,
): Promise<{ at: Date; ip: string | null; ok: boolean }[]> {
  const { rows } = await db.raw(
    `(SELECT at, host(ip) AS ip, true AS ok FROM audit_log WHERE entity = 'user' AND entity_id = ? AND action = 'user.logged_in' ORDER BY at DESC LIMIT ?)
     UNION ALL
     (SELECT failed_at, host(ip), false FROM login_failures WHERE username = ? ORDER BY failed_at DESC LIMIT ?)
     ORDER BY at DESC LIMIT ?`,
    [String(user.id), limit, user.username, limit, limit],
  );
  return rows;
}

/** What the user did lately: their own audit rows. */
export async function listRecentActions(
  db: Knex,
  userId: number,
  limit: number,
): Promise<{ at: Date; action: string; entity: string; entityId: string | null }[]> {
  return db('audit_log')
    .where({ actor_user_id: userId })
    .orderBy('at', 'desc')
    .limit(limit)
    .select({ at: 'at', action: 'action', entity: 'entity', entityId: 'entity_id' });
}

export async function hasAuditTrail(db: Knex, userId: number): Promise<boolean> {
  const row = await db('audit_log').where({ actor_user_id: userId }).first(db.raw('1 AS one'));
  return row !== undefined;
}

export async function grantPathsOf(db: Knex, userId: number): Promise<string[]> {
  const rows = await db('role_grants as g')
    .join('organizations as o', 'o.id', 'g.organization_id')
    .where('g.user_id', userId)
    .select('o.path');
  return rows.map((r: { path: string }) => r.path);
}

/** A new login; returns its id. */
export async function insertUser(
  trx: Knex.Transaction,
  user: { username: string; fullName: string; email: string | null; passwordHash: string },
): Promise<number> {
  const [row] = await trx('users')
    .insert({
      username: user.username,
      full_name: user.fullName,
      email: user.email,
      password_hash: user.passwordHash,
      must_change_password: false,
    })
    .returning('id');
  return row.id as number;
}

/** A new name or e-mail; a changed e-mail is unverified again. */
export async function updateUserContacts(
  trx: Knex.Transaction,
  userId: number,
  input: { fullName: string; email: string | null },
  emailChanged: boolean,
): Promise<void> {
  await trx('users')
    .where({ id: userId })
    .update({
      full_name: input.fullName,
      email: input.email,
      ...(emailChanged ? { email_verified_at: null } : {}),
    });
}

/**
 * Blocks or unblocks; false when the user already was (another tab's request got there first — the row's
 * lock makes this one see it), so the caller records nothing twice.
 */
export async function setUserBlocked(trx: Knex.Transaction, userId: number, blocked: boolean): Promise<boolean> {
  const changed = await trx('users')
    .where({ id: userId })
    .where((q) => (blocked ? q.whereNull('blocked_at') : q.whereNotNull('blocked_at')))
    .update({ blocked_at: blocked ? trx.fn.now() : null });
  return changed > 0;
}

/** False when the user was already gone (deleted from another tab meanwhile). */
export async function deleteUser(trx: Knex.Transaction, userId: number): Promise<boolean> {
  return (await trx('users').where({ id: userId }).delete()) > 0;
}

export async function insertGrant(
  trx: Knex.Transaction,
  grant: { userId: number; role: string; organizationId: number; validUntil: string | null; grantedBy: number },
): Promise<void> {
  await trx('role_grants').insert({
    user_id: grant.userId,
    role: grant.role,
    organization_id: grant.organizationId,
    valid_until: grant.validUntil,
    granted_by: grant.grantedBy,
  });
}

/** False when the grant was already gone (revoked from another tab meanwhile). */
export async function deleteGrant(trx: Knex.Transaction, grantId: number): Promise<boolean> {
  return (await trx('role_grants').where({ id: grantId }).delete()) > 0;
}

/** The personal-account login of the member card it was made for. */
export async function linkUserToMember(trx: Knex, userId: number, memberId: number): Promise<void> {
  await trx('users').where({ id: userId }).update({ member_id: memberId });
}

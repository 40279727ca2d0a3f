import type { Knex } from 'knex';
import type { Principal } from '../access/principal';
import type { Role } from '../access/roles';

export interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  must_change_password: boolean;
  full_name: string;
  email: string | null;
  member_id: number | null;
  blocked_at: Date | null;
  totp_enabled_at: Date | null;
}

export async function findUserByUsername(db: Knex, username: string): Promise<UserRow | undefined> {
  return db<UserRow>('users').where({ username }).first();
}

export async function findUserById(db: Knex, id: number): Promise<UserRow | undefined> {
  return db<UserRow>('users').where({ id }).first();
}

/** The principal with all grants and the paths of the granted organizations, in one query. */
export async function loadPrincipal(db: Knex, userId: number): Promise<Principal | undefined> {
  const rows = await db('users as u')
    // a grant given until a date is ignored from the next day (CURRENT_DATE is the union's day: APP_TIME_ZONE)
    .leftJoin('role_grants as g', (j) =>
      j.on('g.user_id', 'u.id').andOn(db.raw('(g.valid_until IS NULL OR g.valid_until >= CURRENT_DATE)')),
    )
    .leftJoin('organizations as o', 'o.id', 'g.organization_id')
    .where('u.id', userId)
    .whereNull('u.blocked_at')
    .orderBy([{ column: 'o.path' }, { column: 'g.role' }])
    .select(
      'u.id',
      'u.username',
      'u.full_name',
      'u.must_change_password',
      'u.member_id',
      'u.totp_enabled_at',
      'g.role',
      'o.id as org_id',
      'o.path',
      'o.level as org_level',
      'o.inpo',
      'o.name as org_name',
    );
  const first = rows[0];
  if (!first) return undefined;
  return {
    id: first.id,
    username: first.username,
    fullName: first.full_name,
    mustChangePassword: first.must_change_password,
    secondFactorEnrolled: first.totp_enabled_at != null,
    memberId: first.member_id == null ? null : Number(first.member_id),
    grants: rows
      .filter((r) => r.role != null)
      .map((r) => ({
        role: r.role as Role,
        organizationId: r.org_id,
        organizationPath: r.path,
        organizationLevel: r.org_level,
        organizationInpo: r.inpo,
        organizationName: r.org_name,
      })),
  };
}

export async function updatePasswordHash(db: Knex, userId: number, passwordHash: string): Promise<void> {
  await db('users')
    .where({ id: userId })
    .update({ password_hash: passwordHash, must_change_password: false, password_changed_at: db.fn.now() });
}

/** The password the person chose by an e-mailed link: following the link also proves the e-mail. */
export async function setPasswordByLink(db: Knex, userId: number, passwordHash: string): Promise<void> {
  await db('users').where({ id: userId }).update({
    password_hash: passwordHash,
    must_change_password: false,
    password_changed_at: db.fn.now(),
    email_verified_at: db.fn.now(),
  });
}

export async function touchLastLogin(db: Knex, userId: number): Promise<void> {
  await db('users').where({ id: userId }).update({ last_login_at: db.fn.now() });
}

/** Ends every session of a user: used when the password changes or the user is blocked. */
export async function deleteSessionsOfUser(db: Knex, userId: number, exceptSid?: string): Promise<void> {
  const q = db('sessions').whereRaw("(sess -> 'passport' ->> 'user') = ?", [String(userId)]);
  if (exceptSid) q.whereNot('sid', exceptSid);
  await q.delete();
}

/** Drops the principal kept in the user's sessions (a grant given, a name changed): their next request loads it afresh. */
export async function forgetKeptPrincipal(db: Knex, userId: number): Promise<void> {
  await db.raw(
    "UPDATE sessions SET sess = (sess::jsonb - 'principal')::json WHERE (sess -> 'passport' ->> 'user') = ?",
    [String(userId)],
  );
}

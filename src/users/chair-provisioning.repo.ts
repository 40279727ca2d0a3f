import type { Knex } from 'knex';
import type { AuditContext } from '../audit/audit';
import { currentOfficerNames } from '../registry/passport.repo';

import { CHAIR_STATUSES, type ChairStatus } from './users.schemas';

export type { ChairStatus };

export interface ChairStatusRow {
  id: number;
  inpo: string;
  name: string;
  chairName: string | null;
  email: string | null;
  userId: number | null;
  username: string | null;
  lastLoginAt: Date | null;
  status: ChairStatus;
}

/** The login a chair's bulk provisioning gives, `ppo-` and the ИНПО: one per ППО, so a second run finds it taken. */
const CHAIR_LOGIN_PREFIX = 'ppo-';

/**
 * Every current ППО of the subtree with the state of its chair's login — signed in, invited and not yet
 * signed in, ready to be provisioned (a current chair with an e-mail), no e-mail, no chair. The chair's
 * e-mail is their member card's, else the ППО's own from the passport (which in most ППО is the chair's).
 * One pass over the subtree's ППО (77,000 for the union) with index lookups for the chair and the grant.
 */
export function chairStatusQuery(db: Knex, rootPath: string): Knex.QueryBuilder {
  const names = currentOfficerNames(db, 'ch', 'chm', 'chp');
  const email = "lower(coalesce(nullif(chm.email, ''), nullif(o.email, '')))";
  const inner = db('organizations as o')
    .leftJoin('org_officers as ch', (j) =>
      j.on('ch.organization_id', 'o.id').andOnVal('ch.post', 'chair').andOnNull('ch.ended_on'),
    )
    .leftJoin('members as chm', 'chm.id', 'ch.member_id')
    .leftJoin('persons as chp', 'chp.id', 'ch.person_id')
    .joinRaw(
      `LEFT JOIN LATERAL (
        SELECT u.id AS user_id, u.username, u.last_login_at FROM role_grants g JOIN users u ON u.id = g.user_id
         WHERE g.organization_id = o.id AND g.role = 'chair' AND (g.valid_until IS NULL OR g.valid_until >= CURRENT_DATE) AND u.blocked_at IS NULL
         ORDER BY u.last_login_at DESC NULLS LAST LIMIT 1) l ON true`,
    )
    .whereRaw('o.path <@ ?::ltree', [rootPath])
    .where('o.level', 'primary')
    .whereNull('o.liquidated_on')
    .select({
      id: 'o.id',
      inpo: 'o.inpo',
      name: 'o.name',
      userId: 'l.user_id',
      username: 'l.username',
      lastLoginAt: 'l.last_login_at',
      email: db.raw(email),
      chairName: db.raw(`CASE WHEN ch.id IS NOT NULL THEN concat_ws(' ', ?, ?, ?) END`, [
        names.surname,
        names.name,
        names.patronymic,
      ]),
      status: db.raw(`CASE WHEN l.user_id IS NOT NULL AND l.last_login_at IS NOT NULL THEN 'signed_in'
                           WHEN l.user_id IS NOT NULL THEN 'invited'
                           WHEN ch.id IS NULL THEN 'no_chair'
                           WHEN ${email} IS NULL THEN 'no_email'
                           ELSE 'ready' END`),
    });
  return db.from(inner.as('s'));
}

export async function countChairStatuses(db: Knex, rootPath: string): Promise<Record<ChairStatus, number>> {
  const rows = await chairStatusQuery(db, rootPath)
    .clearSelect()
    .groupBy('status')
    .select('status', db.raw('count(*)::int AS n'));
  const counts = Object.fromEntries(CHAIR_STATUSES.map((s) => [s, 0])) as Record<ChairStatus, number>;
  for (const r of rows as { status: ChairStatus; n: number }[]) counts[r.status] = r.n;
  return counts;
}

/** One keyset page of the monitoring list, by ИНПО. */
export async function listChairStatuses(
  db: Knex,
  rootPath: string,
  options: { status?: ChairStatus; after?: string; limit: number },
): Promise<ChairStatusRow[]> {
  const q = chairStatusQuery(db, rootPath).select('*').orderBy('inpo').limit(options.limit);
  if (options.status) q.where('status', options.status);
  if (options.after) q.where('inpo', '>', options.after);
  return q;
}

export interface ProvisionedChair {
  id: number;
  username: string;
  fullName: string;
  email: string;
  organizationId: number;
}

/**
 * Creates a chair login and its grant for every «ready» ППО of the subtree in one statement, with the
 * audit rows; a login already taken (an earlier run, or one in progress) is skipped, so a repeated run
 * creates nothing twice. Must run in a transaction (the caller's).
 */
export async function createChairLogins(
  trx: Knex.Transaction,
  rootPath: string,
  unusableHash: string,
  ctx: AuditContext & { actorUserId: number },
): Promise<ProvisionedChair[]> {
  const ready = chairStatusQuery(trx, rootPath).where('status', 'ready').select('*');
  const { rows } = await trx.raw(
    `WITH ready AS (?),
     new_users AS (
       INSERT INTO users (username, password_hash, must_change_password, full_name, email)
       SELECT ? || r.inpo, ?, false, r."chairName", r.email FROM ready r
       ON CONFLICT (username) DO NOTHING
       RETURNING id, username, full_name, email),
     new_grants AS (
       INSERT INTO role_grants (user_id, role, organization_id, granted_by)
       SELECT nu.id, 'chair', r.id, ? FROM new_users nu JOIN ready r ON nu.username = ? || r.inpo
       RETURNING user_id, organization_id),
     audit AS (
       INSERT INTO audit_log (actor_user_id, action, entity, entity_id, organization_id, new_values, request_id, ip)
       SELECT ?, a.action, 'user', g.user_id::text, g.organization_id, a.new_values, ?, ?::inet
         FROM new_grants g JOIN new_users nu ON nu.id = g.user_id
         CROSS JOIN LATERAL (VALUES
           ('user.created', jsonb_build_object('username', nu.username, 'fullName', nu.full_name, 'email', nu.email, 'bulk', true)),
           ('grant.added', jsonb_build_object('role', 'chair', 'organizationId', g.organization_id, 'bulk', true))) AS a(action, new_values))
     SELECT nu.id, nu.username, nu.full_name AS "fullName", nu.email, g.organization_id AS "organizationId"
       FROM new_users nu JOIN new_grants g ON g.user_id = nu.id ORDER BY nu.username`,
    [
      ready,
      CHAIR_LOGIN_PREFIX,
      unusableHash,
      ctx.actorUserId,
      CHAIR_LOGIN_PREFIX,
      ctx.actorUserId,
      ctx.requestId,
      ctx.ip,
    ],
  );
  return rows;
}

export interface ProvisioningRun {
  id: number;
  created: number;
  startedAt: Date;
  finishedAt: Date | null;
}

export async function startRun(trx: Knex, organizationId: number, startedBy: number, created: number): Promise<number> {
  const [row] = await trx('provisioning_runs')
    .insert({ organization_id: organizationId, started_by: startedBy, created })
    .returning('id');
  return row.id;
}

export async function lastRun(db: Knex, organizationId: number): Promise<ProvisioningRun | undefined> {
  return db('provisioning_runs').where({ organization_id: organizationId }).orderBy('id', 'desc').first({
    id: 'id',
    created: 'created',
    startedAt: 'started_at',
    finishedAt: 'finished_at',
  });
}

/** Serializes provisioning runs until the transaction ends (overlapping subtrees would race for the same logins). */
export async function lockProvisioning(trx: Knex.Transaction): Promise<void> {
  await trx.raw("SELECT pg_advisory_xact_lock(hashtextextended('chair-provisioning', 0))");
}

/** Every ППО's chair status in the subtree by ИНПО, to be streamed into the download. */
export const chairStatusesForExport = (db: Knex, rootPath: string) =>
  chairStatusQuery(db, rootPath).select('*').orderBy('inpo');

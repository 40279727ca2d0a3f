import type { Knex } from 'knex';

export interface AuditContext {
  actorUserId: number | null;
  requestId: string | null;
  ip: string | null;
  /**
   * Values every row written in this context carries beside its own: who else the change is owed to (the
   * member who proposed a correction that the actor approved; `actor: 'member'` for the member's own act).
   */
  extra?: Record<string, unknown>;
}

export interface AuditEntry {
  action: string;
  entity: string;
  entityId?: string | number | null;
  organizationId?: number | null;
  oldValues?: Record<string, unknown> | null;
  newValues?: Record<string, unknown> | null;
}

/** One audit row, on the handle (the transaction) that makes the change. */
export async function insertAuditRow(db: Knex, ctx: AuditContext, entry: AuditEntry): Promise<void> {
  await db('audit_log').insert(auditRowOf(ctx, entry));
}

/** Rows made by `auditRowOf`, in one statement. */
export async function insertAuditRows(db: Knex, rows: ReturnType<typeof auditRowOf>[]): Promise<void> {
  await db('audit_log').insert(rows);
}

/** The columns of one audit row. */
export function auditRowOf(ctx: AuditContext, entry: AuditEntry) {
  return {
    actor_user_id: ctx.actorUserId,
    action: entry.action,
    entity: entry.entity,
    entity_id: entry.entityId == null ? null : String(entry.entityId),
    organization_id: entry.organizationId ?? null,
    old_values: entry.oldValues ?? null,
    new_values: ctx.extra ? { ...entry.newValues, ...ctx.extra } : (entry.newValues ?? null),
    request_id: ctx.requestId,
    ip: ctx.ip,
  };
}

/** One audit row per member, given by ids or by a query that selects them, in one statement. */
export async function insertMemberAuditRows(
  db: Knex,
  ctx: AuditContext,
  action: string,
  members: number[] | Knex.QueryBuilder,
  newValues: Record<string, unknown>,
): Promise<void> {
  const [which, binding] = Array.isArray(members) ? ['m.id = ANY(?::bigint[])', members] : ['m.id IN ?', members];
  await db.raw(
    `INSERT INTO audit_log (actor_user_id, action, entity, entity_id, organization_id, new_values, request_id, ip)
     SELECT ?, ?, 'member', m.id::text, m.organization_id, ?::jsonb, ?, ? FROM members m WHERE ${which}`,
    [ctx.actorUserId, action, JSON.stringify({ ...newValues, ...ctx.extra }), ctx.requestId, ctx.ip, binding],
  );
}

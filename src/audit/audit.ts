import type { Knex } from 'knex';
import type { Request } from 'express';
import { clientIp } from '../http/client-ip';
import { insertAuditRow, insertMemberAuditRows, type AuditContext, type AuditEntry } from './audit.repo';

export type { AuditContext, AuditEntry } from './audit.repo';

export function auditContextOf(req: Request): AuditContext {
  return { actorUserId: req.user?.id ?? null, requestId: req.id == null ? null : String(req.id), ip: clientIp(req) };
}

/**
 * Writes one audit row on `db`, which must be the transaction that makes the change:
 * the row then commits or rolls back together with it.
 */
export async function recordAudit(db: Knex | Knex.Transaction, ctx: AuditContext, entry: AuditEntry): Promise<void> {
  await insertAuditRow(db, ctx, entry);
}

/**
 * One audit row per member of a set-based change (bulk actions, imports, retention) in one statement,
 * on the transaction that makes the change. The members are given by their ids or by a query that
 * selects them: an import of 100,000 need not bring its ids into JavaScript and send them back
 * (the ids and their array binding left 16 MB of old-space garbage).
 */
export async function recordAuditForMembers(
  db: Knex | Knex.Transaction,
  ctx: AuditContext,
  action: string,
  members: number[] | Knex.QueryBuilder,
  newValues: Record<string, unknown>,
): Promise<void> {
  if (Array.isArray(members) && !members.length) return;
  await insertMemberAuditRows(db, ctx, action, members, newValues);
}

/** Only the fields that differ, as {old, new} pairs for the audit row. */
export function diffValues<T extends Record<string, unknown>>(before: T, after: Partial<T>) {
  const oldValues: Record<string, unknown> = {};
  const newValues: Record<string, unknown> = {};
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      oldValues[key] = before[key] ?? null;
      newValues[key] = after[key] ?? null;
    }
  }
  return { oldValues, newValues, changed: Object.keys(newValues).length > 0 };
}

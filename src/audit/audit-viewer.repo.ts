import type { Knex } from 'knex';

/** Which rows a reader may see: the whole log (a federal administrator), or the rows of their subtrees. */
export type AuditScope = { all: true } | { all: false; paths: string[] };

export interface AuditQuery {
  actor?: string | null;
  /** ltree path of the organization whose subtree's rows are asked for */
  orgPath?: string | null;
  action?: string | null;
  entities?: readonly string[] | null;
  entityId?: string | null;
  /** 'YYYY-MM-DD' days in the app's time zone (the connection's), both included */
  from?: string | null;
  to?: string | null;
}

export interface AuditRow {
  id: string;
  at: Date;
  action: string;
  entity: string;
  entityId: string | null;
  oldValues: Record<string, unknown> | null;
  newValues: Record<string, unknown> | null;
  ip: string | null;
  requestId: string | null;
  username: string | null;
  actorName: string | null;
  orgInpo: string | null;
  orgName: string | null;
}

/**
 * The rows a reader may see under a filter, newest first by id (the log's insertion order). The scope and the
 * subtree filter are ltree containments on the row's organization; rows without one (a user's own actions) are
 * the federal administrator's only.
 */
export function auditRows(db: Knex, scope: AuditScope, q: AuditQuery): Knex.QueryBuilder {
  const query = db('audit_log as a')
    .leftJoin('users as u', 'u.id', 'a.actor_user_id')
    .leftJoin('organizations as o', 'o.id', 'a.organization_id')
    .select({
      id: 'a.id',
      at: 'a.at',
      action: 'a.action',
      entity: 'a.entity',
      entityId: 'a.entity_id',
      oldValues: 'a.old_values',
      newValues: 'a.new_values',
      ip: 'a.ip',
      requestId: 'a.request_id',
      username: 'u.username',
      actorName: 'u.full_name',
      orgInpo: 'o.inpo',
      orgName: 'o.name',
    })
    .orderBy('a.id', 'desc');
  if (!scope.all) query.whereRaw('o.path <@ ?::ltree[]', [scope.paths]);
  if (q.orgPath) query.whereRaw('o.path <@ ?::ltree', [q.orgPath]);
  if (q.actor) query.where('u.username', q.actor);
  if (q.action) query.where('a.action', q.action);
  if (q.entities?.length) query.whereIn('a.entity', q.entities as string[]);
  if (q.entityId) query.where('a.entity_id', q.entityId);
  if (q.from) query.whereRaw('a.at >= ?::date::timestamptz', [q.from]);
  if (q.to) query.whereRaw('a.at < (?::date + 1)::timestamptz', [q.to]);
  return query;
}

/** One page after the cursor (the last id shown); one row more than the page tells whether another follows. */
export async function auditPage(
  db: Knex,
  scope: AuditScope,
  q: AuditQuery,
  afterId: number | null,
  pageSize: number,
): Promise<{ rows: AuditRow[]; more: boolean }> {
  const query = auditRows(db, scope, q).limit(pageSize + 1);
  if (afterId !== null) query.where('a.id', '<', afterId);
  const rows: AuditRow[] = await query;
  return { rows: rows.slice(0, pageSize), more: rows.length > pageSize };
}

/** The organizations a batch of audit rows refers to by id or by ИНПО, in one statement. */
export async function findOrgsReferred(db: Knex, ids: readonly number[], inpos: readonly string[]) {
  if (!ids.length && !inpos.length) return [];
  return db('organizations')
    .where((q) => q.whereIn('id', ids).orWhereIn('inpo', inpos))
    .select<{ id: number; inpo: string; name: string; path: string; level: string }[]>(
      'id',
      'inpo',
      'name',
      'path',
      'level',
    );
}

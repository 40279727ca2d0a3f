import type { Knex } from 'knex';

// The writes of creating, moving, merging and liquidating organizations (restructure.service.ts tells
// the story: locks, checks, audit).

/** Open organizations below `path` (the top excluded) and the active members registered in its subtree. */
export async function countOpenBelow(db: Knex, org: { id: number; path: string }) {
  const { rows } = await db.raw(
    `SELECT (SELECT count(*) FROM organizations WHERE path <@ :path::ltree AND id <> :id AND liquidated_on IS NULL) AS organizations,
            (SELECT count(*) FROM members m JOIN organizations o ON o.id = m.organization_id
              WHERE o.path <@ :path::ltree AND m.left_on IS NULL) AS active_members`,
    { path: org.path, id: org.id },
  );
  return { organizations: Number(rows[0].organizations), activeMembers: Number(rows[0].active_members) };
}

/** The role grants on organizations of the subtree, by login. */
export async function listGrantsWithin(
  db: Knex,
  path: string,
): Promise<{ username: string; role: string; organization: string }[]> {
  return db('role_grants as g')
    .join('users as u', 'u.id', 'g.user_id')
    .join('organizations as o', 'o.id', 'g.organization_id')
    .whereRaw('o.path <@ ?::ltree', [path])
    .orderBy('u.username')
    .select({ username: 'u.username', role: 'g.role', organization: 'o.name' });
}

/** Removes every grant on the organization; returns what they were. */
export async function deleteGrantsOn(
  trx: Knex.Transaction,
  organizationId: number,
): Promise<{ userId: number; role: string }[]> {
  const rows: { user_id: number; role: string }[] = await trx('role_grants')
    .where({ organization_id: organizationId })
    .delete()
    .returning(['user_id', 'role']);
  return rows.map((r) => ({ userId: r.user_id, role: r.role }));
}

/** The date of the organization's last event that dates it (a rename is dated by the day it was typed in). */
export async function lastDatedEvent(db: Knex, organizationId: number): Promise<string | null> {
  const last = await db('org_events')
    .where({ organization_id: organizationId })
    .whereNot('kind', 'renamed')
    .max('happened_on as on')
    .first();
  return (last?.on as string | null) ?? null;
}

/** One statement rewrites the paths of the whole subtree under its new parent; ids, ИНПО and region codes stay. */
export async function reparentSubtree(
  trx: Knex.Transaction,
  org: { id: number; path: string },
  newParent: { id: number; path: string },
) {
  await trx.raw(
    `UPDATE organizations SET path = ?::ltree || subpath(path, nlevel(?::ltree) - 1), updated_at = now() WHERE path <@ ?::ltree`,
    [newParent.path, org.path, org.path],
  );
  await trx('organizations').where({ id: org.id }).update({ parent_id: newParent.id });
}

export async function listOpenChildIds(trx: Knex.Transaction, parentId: number): Promise<number[]> {
  const rows: { id: number }[] = await trx('organizations')
    .where({ parent_id: parentId })
    .whereNull('liquidated_on')
    .select('id');
  return rows.map((r) => r.id);
}

/** The active members registered on the organization itself, as a subquery (for a set-based transfer). */
export const activeMembersOn = (trx: Knex.Transaction, organizationId: number) =>
  trx('members').select('id').where({ organization_id: organizationId }).whereNull('left_on');

/** The active members registered anywhere in the subtree, as a subquery (for a set-based transfer). */
export const activeMembersWithin = (trx: Knex.Transaction, path: string) =>
  trx('members')
    .select('id')
    .whereNull('left_on')
    .whereIn('organization_id', trx('organizations').select('id').whereRaw('path <@ ?::ltree', [path]));

/** Closes the organization on a date; a merged one records the organization it passed into. */
export async function closeOrganization(trx: Knex.Transaction, id: number, on: string, mergedIntoId?: number) {
  await trx('organizations')
    .where({ id })
    .update({
      liquidated_on: on,
      ...(mergedIntoId !== undefined && { merged_into_id: mergedIntoId }),
      updated_at: trx.fn.now(),
    });
}

export interface OrgEvent {
  organizationId: number;
  kind: 'created' | 'moved' | 'merged' | 'liquidated';
  on: string;
  actorUserId: number | null;
  oldParentId?: number | null;
  newParentId?: number;
  newName?: string;
  mergedIntoId?: number | null;
  membersMoved?: number;
}

/** One row of the organization's history (the passport's «История» tab). */
export async function insertOrgEvent(trx: Knex.Transaction, e: OrgEvent) {
  const columns = {
    old_parent_id: e.oldParentId,
    new_parent_id: e.newParentId,
    new_name: e.newName,
    merged_into_id: e.mergedIntoId,
    members_moved: e.membersMoved,
  };
  await trx('org_events').insert({
    organization_id: e.organizationId,
    kind: e.kind,
    happened_on: e.on,
    ...Object.fromEntries(Object.entries(columns).filter(([, v]) => v !== undefined)),
    actor_user_id: e.actorUserId,
  });
}

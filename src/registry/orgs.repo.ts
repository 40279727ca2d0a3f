import type { Knex } from 'knex';
import type { EmployerKind, Level } from './levels';

export interface OrgRow {
  id: number;
  parentId: number | null;
  level: Level;
  path: string;
  inpo: string;
  name: string;
  shortName: string | null;
  hasTerritorialRights: boolean;
  employerKind: EmployerKind | null;
  liquidatedOn: string | null;
}

const ORG_COLUMNS = {
  id: 'id', parentId: 'parent_id', level: 'level', path: 'path', inpo: 'inpo', name: 'name', shortName: 'short_name',
  hasTerritorialRights: 'has_territorial_rights', employerKind: 'employer_kind', liquidatedOn: 'liquidated_on',
};

export async function findOrgByInpo(db: Knex, inpo: string): Promise<OrgRow | undefined> {
  return db('organizations').where({ inpo }).first(ORG_COLUMNS);
}

export async function findOrgById(db: Knex, id: number): Promise<OrgRow | undefined> {
  return db('organizations').where({ id }).first(ORG_COLUMNS);
}

export async function findOrgsByIds(db: Knex, ids: number[]): Promise<OrgRow[]> {
  return db('organizations').whereIn('id', ids).select(ORG_COLUMNS);
}

/** Ancestors from the root down, read off the ltree path: one index lookup per label. */
export async function findAncestors(db: Knex, org: OrgRow): Promise<OrgRow[]> {
  return db('organizations').whereRaw('path @> ?::ltree AND path <> ?::ltree', [org.path, org.path]).orderByRaw('nlevel(path)').select(ORG_COLUMNS);
}

export interface ChildSummary extends OrgRow {
  activeMembers: number;
}

/**
 * Children with the active members of each child's whole subtree, in one pass over the subtree:
 * members are grouped by the child label of their organization's path.
 */
export async function findChildrenWithCounts(db: Knex, org: OrgRow): Promise<ChildSummary[]> {
  const { rows } = await db.raw(
    `WITH counts AS (
       SELECT subpath(o.path, 0, nlevel(:path::ltree) + 1) AS child_path, count(*) AS active
         FROM members m JOIN organizations o ON o.id = m.organization_id
        WHERE o.path <@ :path::ltree AND o.path <> :path::ltree AND m.left_on IS NULL
        GROUP BY 1)
     SELECT c.id, c.parent_id, c.level, c.path::text, c.inpo, c.name, c.short_name, c.has_territorial_rights,
            c.employer_kind, c.liquidated_on, coalesce(counts.active, 0) AS active_members
       FROM organizations c LEFT JOIN counts ON counts.child_path = c.path
      WHERE c.parent_id = :id
      ORDER BY c.liquidated_on IS NOT NULL, c.name`,
    { path: org.path, id: org.id },
  );
  return rows.map((r: Record<string, unknown>) => ({
    id: r.id, parentId: r.parent_id, level: r.level, path: r.path, inpo: r.inpo, name: r.name, shortName: r.short_name,
    hasTerritorialRights: r.has_territorial_rights, employerKind: r.employer_kind, liquidatedOn: r.liquidated_on,
    activeMembers: Number(r.active_members),
  })) as ChildSummary[];
}

export async function countActiveMembersInSubtree(db: Knex, path: string): Promise<number> {
  const row = await db('members as m')
    .join('organizations as o', 'o.id', 'm.organization_id')
    .whereRaw('o.path <@ ?::ltree', [path])
    .whereNull('m.left_on')
    .count<{ count: number }[]>('* as count')
    .first();
  return Number(row?.count ?? 0);
}

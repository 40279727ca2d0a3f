import type { Knex } from 'knex';
import type { OrgRow } from './org-row';
import { PREPARED } from '../db/prepared';

// declared in org-row.ts so that routes may name it without importing the repo; re-exported for the repo's callers
export type { OrgRow };

/** The organization columns in camelCase; `primaryId` is the nearest ППО above a unit (its ancestors' ids are the path's labels). */
export function selectOrg(db: Knex, alias = 'o') {
  const c = (column: string) => `${alias}.${column}`;
  return db(`organizations as ${alias}`).select({
    id: c('id'),
    parentId: c('parent_id'),
    level: c('level'),
    path: c('path'),
    inpo: c('inpo'),
    regionCode: c('region_code'),
    name: c('name'),
    shortName: c('short_name'),
    hasTerritorialRights: c('has_territorial_rights'),
    employerKind: c('employer_kind'),
    primaryForm: c('primary_form'),
    employerName: c('employer_name'),
    employerInn: c('employer_inn'),
    address: c('address'),
    phone: c('phone'),
    email: c('email'),
    emailInvalidAt: c('email_invalid_at'),
    emailInvalidReason: c('email_invalid_reason'),
    website: c('website'),
    onlineAdmission: c('online_admission'),
    createdOn: c('created_on'),
    liquidatedOn: c('liquidated_on'),
    mergedIntoId: c('merged_into_id'),
    version: c('version'),
    primaryId: db.raw(
      `CASE WHEN ??.level IN ('subdivision','group') THEN (SELECT a.id FROM organizations a WHERE a.id = ANY(string_to_array(??.path::text, '.')::int[]) AND a.level = 'primary' ORDER BY nlevel(a.path) DESC LIMIT 1) END`,
      [alias, alias],
    ),
  });
}

export async function findOrgByInpo(db: Knex, inpo: string): Promise<OrgRow | undefined> {
  return selectOrg(db).where('o.inpo', inpo).first();
}

/** The union's root organization. */
export async function findUnionRoot(db: Knex): Promise<OrgRow | undefined> {
  return selectOrg(db).where('o.level', 'union').first();
}

export async function findOrgById(db: Knex, id: number): Promise<OrgRow | undefined> {
  return selectOrg(db).where('o.id', id).first();
}

/** The organization as it is now, locked against other restructuring and passport changes until the transaction ends. */
export async function lockOrg(trx: Knex.Transaction, id: number): Promise<OrgRow | undefined> {
  return selectOrg(trx).where('o.id', id).forNoKeyUpdate('o').first();
}

/**
 * The organization of an ИНПО with its ancestors, from the root down (the organization last); empty when
 * unknown. The path's labels are the ids of the lineage: primary-key lookups, where an ancestor query
 * (`path @>`) was estimated at 1,500 rows and given a parallel worker that took 5 ms to start.
 */
export async function findLineageByInpo(db: Knex, inpo: string): Promise<OrgRow[]> {
  return lineageByInpo(db, inpo);
}

/** The query of findLineageByInpo, for a caller that reads more on the same rows (the passport page). */
export function lineageByInpo(db: Knex, inpo: string) {
  return selectOrg(db)
    .whereRaw("o.id = ANY((SELECT string_to_array(path::text, '.')::int[] FROM organizations WHERE inpo = ?)::int[])", [
      inpo,
    ])
    .orderByRaw('nlevel(o.path)')
    .options(PREPARED);
}

/** The next organization id and ИНПО sequence number, taken before the insert (the id is the path's last label). */
export async function nextOrganizationKeys(db: Knex): Promise<{ seq: number; id: number }> {
  const { rows } = await db.raw<{ rows: { seq: number; id: number }[] }>(
    `SELECT nextval('inpo_seq') AS seq, nextval(pg_get_serial_sequence('organizations', 'id')) AS id`,
  );
  return rows[0]!;
}

/** Inserts an organization as given; the creation date defaults to today (the column's default). */
export async function insertOrganizationRow(
  db: Knex,
  org: Pick<
    OrgRow,
    | 'id'
    | 'parentId'
    | 'level'
    | 'path'
    | 'inpo'
    | 'regionCode'
    | 'name'
    | 'shortName'
    | 'employerKind'
    | 'primaryForm'
    | 'hasTerritorialRights'
  > & { createdOn?: string },
): Promise<void> {
  await db('organizations').insert({
    id: org.id,
    parent_id: org.parentId,
    level: org.level,
    path: org.path,
    inpo: org.inpo,
    region_code: org.regionCode,
    name: org.name,
    short_name: org.shortName,
    employer_kind: org.employerKind,
    primary_form: org.primaryForm,
    has_territorial_rights: org.hasTerritorialRights,
    ...(org.createdOn ? { created_on: org.createdOn } : {}),
  });
}

/** The organizations of these ИНПО inside the subtree (an import's referenced lines). */
export async function findOrgsByInpoWithin(db: Knex, inpos: string[], rootPath: string): Promise<OrgRow[]> {
  return selectOrg(db).whereIn('o.inpo', inpos).whereRaw('o.path <@ ?::ltree', [rootPath]);
}

/** The ИНПО of each of these organizations, by id. */
export async function inpoOfIds(db: Knex, ids: number[]): Promise<Map<number, string>> {
  const rows: { id: number; inpo: string }[] = await db('organizations').whereIn('id', ids).select('id', 'inpo');
  return new Map(rows.map((r) => [r.id, r.inpo]));
}

/** The open (not liquidated) children of an organization. */
export async function listOpenChildren(db: Knex, parentId: number): Promise<OrgRow[]> {
  return selectOrg(db).where('o.parent_id', parentId).whereNull('o.liquidated_on');
}

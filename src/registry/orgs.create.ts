import type { Knex } from 'knex';
import { ValidationError } from '../http/errors';
import { makeInpo } from '../shared/inpo';
import { defaultPrimaryForm, mayContain, type EmployerKind, type Level } from './levels';
import { findOrgById, type OrgRow } from './orgs.repo';

export interface NewOrganization {
  parentId: number | null;
  level: Level;
  name: string;
  shortName?: string | null;
  /** Only for regional organizations; everything below inherits its region's code. */
  regionCode?: number;
  employerKind?: EmployerKind | null;
  hasTerritorialRights?: boolean;
  createdOn?: string;
}

/** Inserts one organization with its ltree path and a fresh ИНПО; the containment rules are checked here. */
export async function insertOrganization(db: Knex, input: NewOrganization): Promise<OrgRow> {
  const parent = input.parentId == null ? undefined : await db('organizations').where({ id: input.parentId }).first();
  if (input.parentId != null && !parent)
    throw new ValidationError([{ field: 'parentId', message: 'Вышестоящая организация не найдена' }]);
  if (
    parent &&
    !mayContain({ level: parent.level, hasTerritorialRights: parent.has_territorial_rights }, input.level)
  ) {
    throw new ValidationError([
      { field: 'level', message: 'Организация такого уровня не может входить в выбранную вышестоящую' },
    ]);
  }
  const regionCode = parent && parent.level !== 'union' ? parent.region_code : (input.regionCode ?? 0);
  const { rows } = await db.raw<{ rows: { seq: number; id: number }[] }>(
    `SELECT nextval('inpo_seq') AS seq, nextval(pg_get_serial_sequence('organizations', 'id')) AS id`,
  );
  const { seq, id } = rows[0]!;
  await db('organizations').insert({
    id,
    parent_id: input.parentId,
    level: input.level,
    path: parent ? `${parent.path}.${id}` : String(id),
    inpo: makeInpo(regionCode, seq),
    region_code: regionCode,
    name: input.name,
    short_name: input.shortName ?? null,
    employer_kind: input.employerKind ?? null,
    primary_form: defaultPrimaryForm(input.employerKind),
    has_territorial_rights: input.hasTerritorialRights ?? false,
    ...(input.createdOn ? { created_on: input.createdOn } : {}),
  });
  return (await findOrgById(db, id))!;
}

import type { Knex } from 'knex';
import { ValidationError } from '../http/errors';
import { makeInpo } from '../shared/inpo';
import { defaultPrimaryForm, mayContain, type EmployerKind, type Level } from './levels';
import { findOrgById, insertOrganizationRow, nextOrganizationKeys, type OrgRow } from './orgs.repo';

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
  const parent = input.parentId == null ? undefined : await findOrgById(db, input.parentId);
  if (input.parentId != null && !parent)
    throw new ValidationError([{ field: 'parentId', message: 'Вышестоящая организация не найдена' }]);
  if (parent && !mayContain(parent, input.level)) {
    throw new ValidationError([
      { field: 'level', message: 'Организация такого уровня не может входить в выбранную вышестоящую' },
    ]);
  }
  const regionCode = parent && parent.level !== 'union' ? parent.regionCode : (input.regionCode ?? 0);
  // the id is taken first: it is the last label of the organization's own path
  const { seq, id } = await nextOrganizationKeys(db);
  await insertOrganizationRow(db, {
    id,
    parentId: input.parentId,
    level: input.level,
    path: parent ? `${parent.path}.${id}` : String(id),
    inpo: makeInpo(regionCode, seq),
    regionCode,
    name: input.name,
    shortName: input.shortName ?? null,
    employerKind: input.employerKind ?? null,
    primaryForm: defaultPrimaryForm(input.employerKind),
    hasTerritorialRights: input.hasTerritorialRights ?? false,
    createdOn: input.createdOn,
  });
  return (await findOrgById(db, id))!;
}

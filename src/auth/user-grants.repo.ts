import type { Knex } from 'knex';
import type { OrgRef } from '../access/access';

/** The organizations a user holds grants on, as the access rules take them. */
export async function grantOrganizationsOf(db: Knex, userId: number): Promise<OrgRef[]> {
  return db('role_grants as g')
    .join('organizations as o', 'o.id', 'g.organization_id')
    .where('g.user_id', userId)
    .distinct('o.id', 'o.path', 'o.level');
}

export async function unionRootRef(db: Knex): Promise<OrgRef | undefined> {
  return db('organizations').where({ level: 'union' }).first('id', 'path', 'level');
}

import type { Knex } from 'knex';

/** These cards' names now, with the organization each is registered in (for the reader's access check). */
export async function findCardsWithOrganizations(db: Knex, ids: number[]) {
  const rows = await db('members as m')
    .join('organizations as o', 'o.id', 'm.organization_id')
    .whereIn('m.id', ids)
    .select('m.id', 'm.surname', 'm.name', 'm.patronymic', 'o.id as orgId', 'o.path', 'o.level', 'o.inpo');
  return rows.map((r) => ({
    id: Number(r.id),
    surname: r.surname as string,
    name: r.name as string,
    patronymic: r.patronymic as string | null,
    organization: { id: r.orgId as number, path: r.path as string, level: r.level as string, inpo: r.inpo as string },
  }));
}

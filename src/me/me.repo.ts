import type { Knex } from 'knex';

// The member's own card and history, read as the members feature stores them (a repo may build on another's).
export { findMember, findOwnPrimary, lockMember } from '../members/members.repo';

/** The ППО a card is registered in (itself, or the one above its subdivision or group): whose chair decides. */
export async function ownPrimaryOf(
  db: Knex,
  organizationPath: string,
): Promise<{ id: number; inpo: string } | undefined> {
  return db('organizations')
    .whereRaw('path @> ?::ltree', [organizationPath])
    .where('level', 'primary')
    .orderByRaw('nlevel(path) DESC')
    .first('id', 'inpo');
}

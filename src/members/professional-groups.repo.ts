import type { Knex } from 'knex';

export interface UnmatchedValue {
  value: string;
  members: number;
  /** The first cards holding it (by id), to open and set a group from the list. */
  memberIds: number[];
}

/**
 * The typed professional groups the list did not match (migration map-professional-groups) on cards that still
 * have no group, by value with their count: the cards given a group since are done.
 */
export async function unmatchedValues(db: Knex, limit: number, cardsEach: number): Promise<UnmatchedValue[]> {
  const { rows } = await db.raw(
    `SELECT u.value, count(*)::int AS members, (array_agg(u.member_id ORDER BY u.member_id))[1:?] AS "memberIds"
       FROM professional_group_unmatched u JOIN members m ON m.id = u.member_id
      WHERE m.professional_group IS NULL AND m.merged_into_id IS NULL
      GROUP BY u.value ORDER BY members DESC, u.value LIMIT ?`,
    [cardsEach, limit],
  );
  return rows.map((r: UnmatchedValue) => ({ ...r, memberIds: r.memberIds.map(Number) }));
}

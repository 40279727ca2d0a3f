import type { Knex } from 'knex';
import type { ListReader, ListRoot, MemberListFilter } from './members.repo';

// A member list as of a date holds the people whose period of that date lies in the root's subtree,
// wherever their card is registered now (members.repo listedMembers). Those whose card is registered inside
// the root now, read by someone who may open every card there, are shown as their present cards: for them
// the list of the date is today's list of every card (left or not) with one more condition — a period on
// the date inside the root. Read that way, a region's or the union's list of a date walks the same sort
// indexes, counters and plans as today's list (issue 15: sorting the ~143,000 people of a region's date took
// ~1 s, and the union's merge tested each walked card's category through its period: 4 s to 5 minutes).

/** The reader may open every card registered inside the root (one of their subtrees holds it). */
export function seesAllOf(reader: ListReader, root: Pick<ListRoot, 'path'>): boolean {
  return reader.viewPaths.some((p) => p === root.path || root.path.startsWith(`${p}.`));
}

/** The list of a date restricted to the cards registered inside the root now, as a list of today's cards. */
export function ofCardsInsideNow(filter: MemberListFilter): MemberListFilter {
  return { ...filter, status: 'all', on: undefined, onRecordOn: filter.on };
}

/** Cards on record on `f.onRecordOn` in an organization of the root (the root's own test of its cards aside). */
export function onRecordOnDate(query: Knex.QueryBuilder, root: ListRoot, on: string) {
  // the joining date is implied by the period (it is the first, kept the least by a merge of cards) and is
  // tested on the sort index's entry: a walk skips those who joined later without probing their periods
  query.where('m.joined_on', '<=', on);
  // the period's organization inside the root: most often the card's own (inside the root), else asked
  const inRoot =
    root.level === 'union'
      ? ''
      : ' AND (p.organization_id = m.organization_id OR EXISTS (SELECT 1 FROM organizations po WHERE po.id = p.organization_id AND po.path <@ ?::ltree))';
  // probed per card (OFFSET 0 keeps it a subplan): as a join the planner started from the ~147,000 periods of
  // a region's date and tested their cards, 4.9 s for a page the walk of the cards finds in a few hundred
  return query.whereRaw(
    `EXISTS (SELECT 1 FROM member_periods p WHERE p.member_id = m.id AND p.valid_from <= ?::date
                AND (p.valid_to IS NULL OR p.valid_to > ?::date)${inRoot} OFFSET 0)`,
    [on, on, ...(inRoot ? [root.path] : [])],
  );
}

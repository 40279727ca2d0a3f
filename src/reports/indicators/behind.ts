import type { Knex } from 'knex';
import { INDICATORS } from './catalog';
import { existsOn, periodOn, sqlDate } from './sql-fragments';
import { inReportTransaction, SUBTREE_WORK_MEM } from './live';
import type { RowsQuery } from './rows-query';
import { periodsCountedIn, rootsOn, under, type RootOnDate } from './tree-on-date';

// What stands behind a figure of a report: the member cards a failed control counts, the ППО whose
// missing headcount leaves coverage uncounted. Read from the subtree as it stood on the date.

/**
 * A card behind a figure. The names are those read when the report was computed; a filed version keeps
 * only the id and ИНПО, and every page re-reads the names with the reader's rights (readable-cards.ts).
 */
export interface CardRef {
  id: number;
  surname?: string;
  name?: string;
  patronymic?: string | null;
  inpo: string;
}

/** The first cards of a query that selects m.id, m.surname, m.name, m.patronymic, o.inpo and the window count `total`. */
export function toCardRefs(rows: (Required<CardRef> & { total: number | string })[]): {
  total: number;
  cards: CardRef[];
} {
  return {
    total: Number(rows[0]?.total ?? 0),
    cards: rows.map((r) => ({
      id: Number(r.id),
      surname: r.surname,
      name: r.name,
      patronymic: r.patronymic,
      inpo: r.inpo,
    })),
  };
}

/**
 * The member cards behind a state indicator (the first `limit` by name, and how many there are), in the
 * units the report holds on its date (at the start too); `own`: a primary form's own units
 * (tree-on-date.ts). The matching periods are found without their cards (the state indicators filter the
 * period's own columns, and every period has its card): joining the 143,000 of the biggest region's
 * workers to their cards by id was 570,000 of its 666,000 buffers. A region's cards go by regionCards.
 */
export async function listCards(
  db: Knex,
  root: RootOnDate,
  indicator: string,
  periodStart: string,
  limit = 20,
  of: CardsOf = {},
): Promise<{ total: number; cards: CardRef[] }> {
  const q = cardsQuery(root, indicator, periodStart, limit, of);
  if (!q) return { total: 0, cards: [] };
  const { rows } = await inReportTransaction(db, SUBTREE_WORK_MEM, (trx) => trx.raw(q.sql, q.bindings));
  return toCardRefs(rows);
}

/** The query of listCards (rows for toCardRefs); none for an indicator that is no state figure. */
export function cardsQuery(
  root: RootOnDate,
  indicator: string,
  periodStart: string,
  limit = 20,
  { own = false, regionId, sortAtMost = SORT_AT_MOST }: CardsOf = {},
): RowsQuery | undefined {
  const ind = INDICATORS[indicator];
  if (!ind || (ind.group !== 'state' && ind.group !== 'start')) return undefined;
  const on = sqlDate(ind.group === 'start' ? periodStart : root.date);
  const frame = { ...root.frame, own };
  const d = sqlDate(root.date);
  const n = Number(limit);
  // (the filter of the indicator reads alias c; a region reads the matches twice at most, and only counts them when many)
  const matching = `${periodOn('c', on)} AND ${ind.where}`;
  const hits = `units AS MATERIALIZED (SELECT o.id FROM roots r ${under(frame, 'o', d)}),
    hit AS ${regionId === undefined ? '' : 'NOT '}MATERIALIZED (
      SELECT c.member_id AS id, c.ppo_id, ${frame.tree === 'current' ? 'c.valid_to IS NOT NULL' : 'true'} AS may_have_left
        FROM units u JOIN member_periods c ON c.${periodsCountedIn(frame)} = u.id AND ${matching})`;
  // each match's card probed by id: a subtree's estimate is ltree-blind (the biggest territory's 5,523 matches
  // taken for 114,693), and with the report's work_mem the planner hashed all 4 M cards to join them (2-СП of that
  // territory 56 ms → 1.6 s, issue 15; probed: 19 ms)
  const sorted = `SELECT m.id, m.surname, m.name, m.patronymic, h.ppo_id FROM hit h
    CROSS JOIN LATERAL (SELECT m.id, m.surname, m.name, m.patronymic FROM members m WHERE m.id = h.id OFFSET 0) m`;
  return {
    sql: `${rootsOn(frame, d)}, ${hits}${
      regionId === undefined
        ? `, listed AS (${sorted} ORDER BY m.surname, m.name, m.id LIMIT ${n}),
             counted AS (SELECT count(*) AS total FROM hit)`
        : `, ${regionCards(Number(regionId), frame.tree === 'current', sorted, matching, n, Number(sortAtMost))}`
    }
       SELECT x.id, x.surname, x.name, x.patronymic, o.inpo, (SELECT total FROM counted) AS total
         FROM listed x JOIN organizations o ON o.id = x.ppo_id ORDER BY x.surname, x.name, x.id LIMIT ${n}`,
    bindings: [[root.id]],
  };
}

/** Which cards of the subtree listCards reads, and how. */
export interface CardsOf {
  /** a primary form's own units (tree-on-date.ts) */
  own?: boolean;
  /** the root is this region: its cards go by regionCards */
  regionId?: number;
  /** a region's matches sorted rather than walked up to this many (tests walk any number) */
  sortAtMost?: number;
}

/** Up to this many matches, a region's cards are sorted; beyond, walked in name order. */
const SORT_AT_MOST = 5_000;

/**
 * CTEs `counted` and `listed` of a region's cards behind a figure (over the CTEs `units` and `hit`). Sorting
 * the 97,000–143,000 matching cards of the biggest region in the Russian collation to keep 20 was half of its
 * 1-СП (issue 15: 485 ms); then a hash of them against which the region's cards were walked in name order
 * was half of the list. Many matches: the region's cards are walked in name order
 * (members_region_name_idx), each tested by an index probe of its own periods (230 probes for the first 200
 * of 143,000; with at least SORT_AT_MOST matches at most ~6,600); few: they are sorted.
 * The walk misses only the cards that have left the region since: an open period lies in its card's
 * organization (the membership guard), which in a tree unchanged since the date is still in the region, so
 * those are looked for among the matches whose period has ended since, by id; in a dated tree any match may
 * have left, and the region's card ids are hashed.
 */
function regionCards(
  region: number,
  currentTree: boolean,
  sorted: string,
  matching: string,
  n: number,
  sortAtMost: number,
): string {
  const many = `(SELECT total FROM counted) > ${sortAtMost}`;
  return `counted AS MATERIALIZED (
      SELECT count(*) AS total, coalesce(array_agg(id) FILTER (WHERE may_have_left), '{}') AS ids,
             coalesce(array_agg(ppo_id) FILTER (WHERE may_have_left), '{}') AS ppos FROM hit),
    listed AS (
      (SELECT m.id, m.surname, m.name, m.patronymic, w.ppo_id FROM members m
         CROSS JOIN LATERAL (SELECT c.ppo_id FROM member_periods c
                              WHERE c.member_id = m.id AND ${matching} AND (c.ppo_id IN (SELECT id FROM units)) IS TRUE LIMIT 1) w
        WHERE m.region_id = ${region} AND ${many} ORDER BY m.surname, m.name, m.id LIMIT ${n})
      UNION ALL
      (SELECT k.id, k.surname, k.name, k.patronymic, l.ppo_id FROM counted, unnest(counted.ids, counted.ppos) AS l(id, ppo_id)
         CROSS JOIN LATERAL (SELECT k.id, k.surname, k.name, k.patronymic FROM members k
                              WHERE k.id = l.id AND k.region_id IS DISTINCT FROM ${region} LIMIT 1) k
        WHERE ${many}${currentTree ? '' : ` AND (l.id IN (SELECT r.id FROM members r WHERE r.region_id = ${region})) IS NOT TRUE`}
        ORDER BY k.surname, k.name, k.id LIMIT ${n})
      UNION ALL
      (${sorted} WHERE NOT ${many} ORDER BY m.surname, m.name, m.id LIMIT ${n}))`;
}

/**
 * Primary organizations of the subtree with no headcount on the date: the data gap behind coverage.
 * The few missing are found first and only they are sorted by name (sorting 77,000 names in the Russian
 * collation to keep 20 cost the union's report 100 ms); for the whole union, against one hash of the headcounts.
 */
export function missingHeadcounts(root: RootOnDate, limit = 20, own = false): RowsQuery {
  const frame = { ...root.frame, own };
  const d = sqlDate(root.date);
  const entered = frame.whole
    ? `o.id NOT IN (SELECT h.organization_id FROM org_headcounts h WHERE h.as_of <= ${d})`
    : `NOT EXISTS (SELECT 1 FROM org_headcounts h WHERE h.organization_id = o.id AND h.as_of <= ${d})`;
  return {
    sql: `${rootsOn(frame, d)}, missing AS MATERIALIZED (
       SELECT o.inpo, o.name FROM roots r ${under(frame, 'o', d)} AND o.level = 'primary' AND ${existsOn('o', d)} WHERE ${entered})
     SELECT inpo, name, count(*) OVER () AS total FROM missing ORDER BY name LIMIT ${Number(limit)}`,
    bindings: [[root.id]],
  };
}

/**
 * Organizations of the subtree with an officer on the date who is no person (a name typed before officers
 * were people and not linked since): their sex and age are unknown, so women and youth of the officer
 * lines leave them out. The data gap behind those lines.
 */
export function officersWithoutPerson(root: RootOnDate, limit = 20): RowsQuery {
  const { frame } = root;
  const d = sqlDate(root.date);
  return {
    sql: `${rootsOn(frame, d)}, missing AS MATERIALIZED (
       SELECT DISTINCT o.inpo, o.name FROM roots r ${under(frame, 'o', d)}
         JOIN org_officers f ON f.organization_id = o.id AND f.member_id IS NULL AND f.person_id IS NULL
                            AND f.elected_on <= ${d} AND (f.ended_on IS NULL OR f.ended_on > ${d}))
     SELECT inpo, name, count(*) OVER () AS total FROM missing ORDER BY name LIMIT ${Number(limit)}`,
    bindings: [[root.id]],
  };
}

/** The first organizations of a gap list (missingHeadcounts, officersWithoutPerson) and how many there are. */
export const orgsOfGap = (rows: Record<string, unknown>[]) => ({
  total: Number(rows[0]?.total ?? 0),
  orgs: rows.map((r) => ({ inpo: String(r.inpo), name: String(r.name) })),
});

/**
 * Cards whose history before the previous reporting date was written after that report was filed:
 * the back-dated admissions, exits and transfers that make the movement identity fail (an event
 * belongs to the subtree when one of its organizations lay in it on the event's day).
 */
export async function listChangedSinceFiling(db: Knex, rootId: number, start: string, filedAt: Date, limit: number) {
  const { rows } = await db.raw(
    `SELECT m.id, m.surname, m.name, m.patronymic, o.inpo, count(*) OVER () AS total
       FROM members m JOIN organizations o ON o.id = m.organization_id
      WHERE m.id IN (
        SELECT e.member_id FROM membership_events e
         WHERE e.created_at > ? AND e.happened_on <= ${sqlDate(start)}
           AND EXISTS (SELECT 1 FROM org_tree_history x JOIN org_tree_history rt ON rt.organization_id = ? AND rt.valid_from <= e.happened_on AND rt.valid_to > e.happened_on
                        WHERE x.organization_id IN (e.from_organization_id, e.to_organization_id)
                          AND x.valid_from <= e.happened_on AND x.valid_to > e.happened_on AND x.path <@ rt.path))
      ORDER BY m.surname, m.name, m.id LIMIT ${Number(limit)}`,
    [filedAt, rootId],
  );
  return toCardRefs(rows);
}

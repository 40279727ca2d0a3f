import type { Knex } from 'knex';
import { LIVE_STATUSES } from '../cards/card-statuses';
import type { OrgRow } from '../registry/orgs.repo';
import type { RegionPlan } from './member-counted.repo';

// What the maintained counts of what members hold (region_card_counts: a union card of a status and kind;
// region_consent_counts: an active consent of a kind; per region and state on record) tell a member list of
// a region or of the union before it reads any card: the total of such a filter, and in which regions its
// matches lie (issue 15: a card status nobody on record holds walked all 4 M cards for the union's page, 30 s).

/** A list's filters on what a member holds, and the state they are read in. */
export interface HoldingFilter {
  status: 'active' | 'left' | 'all';
  /** A union card of this status ('none': no live card). */
  cardStatus?: string;
  /** A union card of this kind (in `cardStatus` when given, else a live one). */
  cardKind?: 'plastic' | 'virtual';
  consent?: 'mailing' | 'no_mailing' | 'no_processing';
  /** The list's date: the counts know today's holdings and states only. */
  on?: string;
}

type Root = Pick<OrgRow, 'id' | 'level'>;

/** The counts answer a region's or the union's list of today (a list of a date reads the periods). */
export function isHoldingCountable(root: Root, f: HoldingFilter): boolean {
  const today = !f.on || f.status === 'all';
  return (
    (!!f.cardStatus || !!f.cardKind || !!f.consent) && today && (root.level === 'union' || root.level === 'regional')
  );
}

/** Per region (`region_id`, `n`): the members of the list's state matching each of the filter's holdings. */
function matchesByRegion(db: Knex, root: Root, f: HoldingFilter): Knex.QueryBuilder[] {
  const within = (table: Knex.QueryBuilder) => {
    if (f.status !== 'all') table.where('c.on_record', f.status === 'active');
    if (root.level === 'regional') table.where('c.region_id', root.id);
    return table.select('c.region_id', db.raw('sum(c.n) AS n')).groupBy('c.region_id');
  };
  const holders = (counts: string, where: Record<string, string | readonly string[]>) =>
    Object.entries(where).reduce(
      (q, [column, value]) => q.whereIn(`c.${column}`, typeof value === 'string' ? [value] : value),
      within(db(`${counts} as c`)),
    );
  const without = (held: Knex.QueryBuilder) =>
    db
      .select('t.region_id', db.raw('t.n - coalesce(h.n, 0) AS n'))
      .from(within(db('region_member_counts as c')).as('t'))
      .leftJoin(held.as('h'), 'h.region_id', 't.region_id');
  const matches: Knex.QueryBuilder[] = [];
  // a member holds at most one live card: the live statuses' holders are the members with a live card
  if (f.cardStatus === 'none')
    matches.push(without(holders('region_card_counts', { status: LIVE_STATUSES, kind: 'any' })));
  else if (f.cardStatus)
    matches.push(holders('region_card_counts', { status: f.cardStatus, kind: f.cardKind ?? 'any' }));
  else if (f.cardKind) matches.push(holders('region_card_counts', { status: LIVE_STATUSES, kind: f.cardKind }));
  if (f.consent === 'mailing') matches.push(holders('region_consent_counts', { kind: 'mailing' }));
  if (f.consent === 'no_mailing') matches.push(without(holders('region_consent_counts', { kind: 'mailing' })));
  if (f.consent === 'no_processing') matches.push(without(holders('region_consent_counts', { kind: 'processing' })));
  return matches;
}

/**
 * The members matching the filter's holdings, each counted apart (isHoldingCountable): exact for one of them
 * alone, and when any is 0, so is the list.
 */
export async function countHoldingMatches(db: Knex, root: Root, f: HoldingFilter): Promise<number[]> {
  const matches = matchesByRegion(db, root, f);
  const { rows } = await db.raw(
    `SELECT ${matches.map((_, i) => `(SELECT coalesce(sum(x.n), 0) FROM (?) x) AS n${i}`).join(', ')}`,
    matches,
  );
  return matches.map((_, i) => Number(rows[0][`n${i}`]));
}

/**
 * Where a page finds the matches (member-counted.repo's RegionPlan): a region where one of the holdings has
 * none is not read, the others are walked. Never gathered: no index leads from a card's status or a consent
 * to the card's region, so gathering a small region's 400 matches hashed all 370,000 live virtual cards (1.2 s).
 */
export async function holdingRegionPlan(db: Knex, root: Root, f: HoldingFilter): Promise<RegionPlan> {
  const matches = matchesByRegion(db, root, f);
  const { rows } = await db.raw(
    `SELECT x0.region_id FROM (?) x0${matches
      .slice(1)
      .map((_, i) => ` JOIN (?) x${i + 1} USING (region_id)`)
      .join('')} WHERE ${matches.map((_, i) => `x${i}.n > 0`).join(' AND ')}`,
    matches,
  );
  return { walk: rows.map((r: { region_id: number }) => r.region_id), gather: [] };
}

/** Two plans' regions where both find matches; gathered where either finds them few. */
export function bothPlans(a: RegionPlan | null, b: RegionPlan | null): RegionPlan | null {
  if (!a || !b) return a ?? b;
  const gathered = new Set([...a.gather, ...b.gather]);
  const inB = new Set([...b.walk, ...b.gather]);
  const regions = [...a.walk, ...a.gather].filter((r) => inB.has(r));
  return { walk: regions.filter((r) => !gathered.has(r)), gather: regions.filter((r) => gathered.has(r)) };
}

/**
 * Folds each change's rows of the member lists' counts per region into one per key (the hourly housekeeping):
 * the cards and consents members hold, and the counters per employer kind (region_kind_member_counts).
 */
export async function compactListCounts(db: Knex): Promise<void> {
  await db.raw('SELECT region_card_counts_compact()');
  await db.raw('SELECT region_consent_counts_compact()');
  await db.raw('SELECT region_kind_member_counts_compact()');
}

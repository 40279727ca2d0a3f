import type { Knex } from 'knex';
import { LIVE_STATUSES } from '../cards/card-statuses';
import { PREPARED } from '../db/prepared';
import type { OrgRow } from '../registry/orgs.repo';
import type { MemberSort, PersonInput } from './members.schemas';
import { todayIso } from '../shared/dates';
import { containsPattern } from '../shared/match-key';
import { countedMatches, ofEmployerKind, regionPlan } from './member-counted.repo';
import { ofCardsInsideNow, onRecordOnDate, seesAllOf } from './member-list-dated.repo';
import { bothPlans, countHoldingMatches, holdingRegionPlan, isHoldingCountable } from './member-holding-counted.repo';
import { heldShare, isKindDense, kindOrganizations } from './member-employer-kind.repo';

export interface MemberRow {
  id: number;
  organizationId: number;
  organizationPath: string;
  organizationInpo: string;
  organizationName: string;
  organizationLevel: string;
  surname: string;
  name: string;
  patronymic: string | null;
  sex: 'm' | 'f';
  birthDate: string;
  phone: string | null;
  email: string | null;
  /** When a mailing's letter to the e-mail bounced for good (cleared when the address is edited), and why. */
  emailInvalidAt: Date | null;
  emailInvalidReason: string | null;
  snils: string | null;
  category: string;
  position: string | null;
  professionalGroup: string | null;
  isPedagogical: boolean;
  onParentalLeave: boolean;
  studyForm: string | null;
  studyYear: number | null;
  joinedOn: string;
  leftOn: string | null;
  leftReason: string | null;
  mergedIntoId: number | null;
  /** Bumped by every change of the card (optimistic locking of its forms). */
  version: number;
}

const MEMBER_KEYS = {
  id: 'm.id',
  organizationId: 'm.organization_id',
  organizationPath: 'o.path',
  organizationInpo: 'o.inpo',
  organizationName: 'o.name',
  organizationLevel: 'o.level',
  surname: 'm.surname',
  name: 'm.name',
  patronymic: 'm.patronymic',
  sex: 'm.sex',
  birthDate: 'm.birth_date',
  phone: 'm.phone',
  email: 'm.email',
  emailInvalidAt: 'm.email_invalid_at',
  emailInvalidReason: 'm.email_invalid_reason',
  snils: 'm.snils',
  category: 'm.category',
  position: 'm.position',
  professionalGroup: 'm.professional_group',
  isPedagogical: 'm.is_pedagogical',
  onParentalLeave: 'm.on_parental_leave',
  studyForm: 'm.study_form',
  studyYear: 'm.study_year',
  joinedOn: 'm.joined_on',
  leftOn: 'm.left_on',
  leftReason: 'm.left_reason',
  mergedIntoId: 'm.merged_into_id',
  version: 'm.version',
};

function selectMember(db: Knex) {
  return db('members as m').join('organizations as o', 'o.id', 'm.organization_id').select(MEMBER_KEYS);
}

export async function findMember(db: Knex, id: number): Promise<MemberRow | undefined> {
  // the card routes' loader: a named statement (db/prepared.ts)
  const row = await selectMember(db).where('m.id', id).first().options(PREPARED);
  return row ? { ...row, id: Number(row.id) } : undefined;
}

/** The card and more columns computed beside it in the same statement (the card page's, card-page.repo.ts). */
export async function findMemberWith<Extra extends object>(
  db: Knex,
  id: number,
  extra: Knex.Raw,
): Promise<{ member: MemberRow; extra: Extra } | undefined> {
  const row = await selectMember(db).select(extra).where('m.id', id).first().options(PREPARED);
  if (!row) return undefined;
  const member = Object.fromEntries(
    Object.keys(row)
      .filter((k) => k in MEMBER_KEYS)
      .map((k) => [k, row[k]]),
  );
  const rest = Object.fromEntries(
    Object.keys(row)
      .filter((k) => !(k in MEMBER_KEYS))
      .map((k) => [k, row[k]]),
  );
  return { member: { ...(member as MemberRow), id: Number(row.id) }, extra: rest as Extra };
}

/**
 * Locks cards until the transaction ends, in id order (two changes of overlapping sets wait rather than
 * deadlock). Alone, not joined: a lock that waited re-checks a join against the organization row it first
 * read, and a card moved meanwhile would drop out of the result.
 */
export async function lockMembers(trx: Knex.Transaction, ids: number[]): Promise<number[]> {
  return (await trx('members').whereIn('id', ids).orderBy('id').forNoKeyUpdate().pluck('id')).map(Number);
}

/** The card as it is now, locked until the transaction ends: a change re-checks its conditions on it. */
export async function lockMember(trx: Knex.Transaction, id: number): Promise<MemberRow | undefined> {
  return (await lockMembers(trx, [id])).length ? findMember(trx, id) : undefined;
}

export interface MemberListFilter {
  q?: string;
  category?: string;
  sex?: 'm' | 'f';
  status: 'active' | 'left' | 'all';
  pedagogical?: boolean;
  consent?: 'mailing' | 'no_mailing' | 'no_processing';
  /** Age in full years on today's date: [from, to). */
  age?: [number, number];
  /** Years since first joining the union: [from, to). */
  tenure?: [number, number];
  cardStatus?: string;
  /** Plastic or virtual: a card of this kind (in `cardStatus` when given, else a live one). */
  cardKind?: 'plastic' | 'virtual';
  employerKind?: string;
  /** Read `status` as of this date ('YYYY-MM-DD') from the membership history instead of today. */
  on?: string;
  /** Only cards whose e-mail address bounced for good (a mailing's hard bounce) and was not edited since. */
  emailInvalid?: boolean;
  /**
   * Only cards on record on this date in an organization of the root: a list of a date read from the cards
   * registered inside the root now (member-list-dated.repo.ts), never from a request's query.
   */
  onRecordOn?: string;
}

/** Sort orders of the list: each a keyset of columns ending in the id, so pages never skip or repeat. */
const MEMBER_SORTS: Record<MemberSort, readonly string[]> = {
  name: ['m.surname', 'm.name', 'm.id'],
  birth: ['m.birth_date', 'm.id'],
  joined: ['m.joined_on', 'm.id'],
};
export type { MemberSort };

/** The last row's values of the sort columns. */
export type MemberCursor = (string | number)[];

/** The organization a list is read under; its level decides how its members are found. */
export type ListRoot = Pick<OrgRow, 'id' | 'path' | 'level'>;

/**
 * Members registered in the root's subtree. A region's members carry its id (and are walked in sort
 * order along (region, key) indexes); the union's are every card; smaller subtrees are found through
 * their organizations.
 */
function withinRoot(query: Knex.QueryBuilder, root: ListRoot) {
  if (root.level === 'regional') query.where('m.region_id', root.id);
  else if (root.level !== 'union') query.whereRaw('o.path <@ ?::ltree', [root.path]);
  return query;
}

/** Who reads a list: the subtrees in which they may open cards now (access.memberViewPaths). */
export interface ListReader {
  viewPaths: string[];
}

/** A row of a list: the card, or — for a person outside the reader's subtrees — only what they were on the list's date. */
export interface ListedMember extends MemberRow {
  restricted: boolean;
}

/** "Members of the subtree on a date": read from the periods of that date, not from the present cards. */
const isDatedList = (f: MemberListFilter) => !!f.on && f.status === 'active';

/**
 * The one rule of every member list, its direct downloads and its background exports. A list as of a
 * past date finds the people of the subtree on that date, wherever they are registered now. A row shows
 * the present card only when the person is registered inside one of the reader's subtrees now (the
 * reader could open the card: exits, transfers within those subtrees); for anyone else (transferred
 * away, organization merged into one outside) the row holds what the person was on the date — name,
 * sex, birth and joining dates, the organization and category of that date — and never present
 * contacts, SNILS, post, organization or state. Filters on what only the present card knows (consents,
 * union cards) never match such a row, so no filter tells anything about the present card either.
 * The flag is computed once per row (`v.shown`); lists of today hold only people of the root's subtree,
 * which the reader was authorized on, so there every row is shown.
 */
function listedMembers(db: Knex, root: ListRoot, f: MemberListFilter, reader: ListReader) {
  // A LEFT JOIN on the card's organization (never missing: a NOT NULL foreign key) is the same rows, and lets
  // the planner drop the join from a region's count that reads nothing of the organization: a surname
  // search counting 900 matches probed the organization of each (35 ms → 9 ms at full scale).
  const query = db('members as m')
    .leftJoin('organizations as o', 'o.id', 'm.organization_id')
    .whereNull('m.merged_into_id');
  const dated = isDatedList(f) ? f.on! : null;
  if (dated) {
    // the one period of each member on the date (periods never overlap), in an organization of the subtree
    query
      .joinRaw(
        'JOIN member_periods p ON p.member_id = m.id AND p.valid_from <= ?::date AND (p.valid_to IS NULL OR p.valid_to > ?::date)',
        [dated, dated],
      )
      .joinRaw('JOIN organizations po ON po.id = p.organization_id AND po.path <@ ?::ltree', [root.path])
      // implied by the period (member-list-dated.repo.ts): tested on a sort index's entry
      .where('m.joined_on', '<=', dated);
  } else {
    withinRoot(query, root);
    if (f.onRecordOn) onRecordOnDate(query, root, f.onRecordOn);
    if (f.status === 'active') query.whereNull('m.left_on');
    if (f.status === 'left') query.whereNotNull('m.left_on');
    if (f.status === 'left' && f.on) query.where('m.left_on', '<=', f.on);
  }
  // a list of today's cards holds only cards inside the root: one who sees the root sees every row, and a
  // constant lets the planner drop the organization's join (a region's count of working members without a
  // consent, of a date, joined the organizations first and probed a trigram index per organization: 5 s)
  if (!dated && seesAllOf(reader, root)) query.joinRaw('CROSS JOIN LATERAL (SELECT true AS shown) v');
  else query.joinRaw('CROSS JOIN LATERAL (SELECT o.path <@ ANY(?::ltree[]) AS shown) v', [reader.viewPaths]);
  return { query, at: dated ? { org: 'po', period: 'p' } : { org: 'o', period: 'm' } };
}

/** Column expressions of a listed row: the present card when shown, else the value of the date, or nothing. */
const present = (column: string) => `CASE WHEN v.shown THEN ${column} END`;
/**
 * A list of today reads the same column either way: the column itself, so that a filter on it is a condition
 * on the card that the walk of a sort index tests as it reads — as a CASE over `v.shown` it waited for each
 * card's organization (the union's students by birth date probed 3.3 M organizations: 47 s, issue 15).
 */
const presentOr = (column: string, ofDate: string) =>
  column === ofDate ? column : `CASE WHEN v.shown THEN ${column} ELSE ${ofDate} END`;

function listedColumns(at: { org: string; period: string }): string {
  const columns: Record<keyof ListedMember, string> = {
    id: 'm.id',
    restricted: 'NOT v.shown',
    surname: 'm.surname',
    name: 'm.name',
    patronymic: 'm.patronymic',
    sex: 'm.sex',
    birthDate: 'm.birth_date',
    joinedOn: 'm.joined_on',
    mergedIntoId: 'm.merged_into_id',
    version: 'm.version',
    organizationId: presentOr('o.id', `${at.org}.id`),
    organizationPath: presentOr('o.path', `${at.org}.path`),
    organizationInpo: presentOr('o.inpo', `${at.org}.inpo`),
    organizationName: presentOr('o.name', `${at.org}.name`),
    organizationLevel: presentOr('o.level', `${at.org}.level`),
    category: presentOr('m.category', `${at.period}.category`),
    isPedagogical: presentOr('m.is_pedagogical', `${at.period}.is_pedagogical`),
    onParentalLeave: present('m.on_parental_leave'),
    phone: present('m.phone'),
    email: present('m.email'),
    emailInvalidAt: present('m.email_invalid_at'),
    emailInvalidReason: present('m.email_invalid_reason'),
    snils: present('m.snils'),
    position: present('m.position'),
    professionalGroup: present('m.professional_group'),
    studyForm: present('m.study_form'),
    studyYear: present('m.study_year'),
    leftOn: present('m.left_on'),
    leftReason: present('m.left_reason'),
  };
  return Object.entries(columns)
    .map(([name, sql]) => `${sql} AS "${name}"`)
    .join(', ');
}

function applyFilter(
  listed: ReturnType<typeof listedMembers>,
  f: MemberListFilter,
  root: ListRoot,
  reader: ListReader,
  kindBy: KindBy = 'join',
) {
  const { query, at } = listed;
  if (f.category) query.whereRaw(`${presentOr('m.category', `${at.period}.category`)} = ?`, [f.category]);
  if (f.sex) query.where('m.sex', f.sex);
  if (f.pedagogical !== undefined)
    query.whereRaw(`${presentOr('m.is_pedagogical', `${at.period}.is_pedagogical`)} = ?`, [f.pedagogical]);
  // Only a list of a date holds rows the reader may not see (`v.shown`); today's rows are all shown, and the
  // test there made the planner take the region's cards for a few hundred (an organization's path tested
  // against the reader's) and read all 152,000 of them for a union card filter instead of walking its sort index.
  const shownAnd = at.org === 'o' ? '' : 'v.shown AND ';
  const activeConsent = (kind: string) =>
    `EXISTS (SELECT 1 FROM member_consents c WHERE c.member_id = m.id AND c.kind = '${kind}' AND c.withdrawn_on IS NULL)`;
  if (f.consent === 'mailing') query.whereRaw(`${shownAnd}${activeConsent('mailing')}`);
  if (f.consent === 'no_mailing') query.whereRaw(`${shownAnd}NOT ${activeConsent('mailing')}`);
  if (f.consent === 'no_processing') query.whereRaw(`${shownAnd}NOT ${activeConsent('processing')}`);
  if (f.emailInvalid) query.whereRaw(`${shownAnd}m.email_invalid_at IS NOT NULL`);
  const today = todayIso();
  if (f.age)
    query.whereRaw(
      'm.birth_date > ?::date - make_interval(years => ?) AND m.birth_date <= ?::date - make_interval(years => ?)',
      [today, f.age[1], today, f.age[0]],
    );
  if (f.tenure)
    query.whereRaw(
      'm.joined_on > ?::date - make_interval(years => ?) AND m.joined_on <= ?::date - make_interval(years => ?)',
      [today, f.tenure[1], today, f.tenure[0]],
    );
  // the live card is kept on the card's row (live_card_status, live_card_kind): a condition on the row, which the
  // sort indexes' entries carry; the cards no longer live (a member may hold several) are asked of union_cards
  if (f.cardStatus === 'none') query.whereRaw(`${shownAnd}m.live_card_status IS NULL`);
  else if (f.cardStatus && !isLiveStatus(f.cardStatus))
    query.whereRaw(
      `${shownAnd}EXISTS (SELECT 1 FROM union_cards c WHERE c.member_id = m.id AND c.status = ?${f.cardKind ? ' AND c.kind = ?' : ''})`,
      [f.cardStatus, ...(f.cardKind ? [f.cardKind] : [])],
    );
  else {
    if (f.cardStatus) query.whereRaw(`${shownAnd}m.live_card_status = ?`, [f.cardStatus]);
    if (f.cardKind) query.whereRaw(`${shownAnd}m.live_card_kind = ?`, [f.cardKind]);
  }
  if (f.employerKind) {
    if (at.org === 'o' && kindBy === 'walk') {
      // each walked card's organization is looked up among those under a ППО of the kind: one probe of an index
      // (asking the ancestors of its path took a probe per label, 16 buffers per card: 1.15 s for the union, issue 15)
      query.whereRaw(
        'EXISTS (SELECT 1 FROM organization_employer_kinds k WHERE k.organization_id = m.organization_id AND k.employer_kind = ?)',
        [f.employerKind],
      );
    } else {
      // the planner may start from the kind's organizations of the region (`r`, in the union's merge) or root
      // (today's cards of the union are all inside it: no path to test)
      const whole = at.org === 'o' && root.level === 'union';
      const set =
        kindBy === 'region'
          ? ofEmployerKind(f.employerKind, 'r.path', true)
          : kindOrganizations(f.employerKind, whole ? null : at.org === 'o' ? '?::ltree' : 'ANY(?::ltree[])');
      const paths =
        kindBy === 'region' || whole ? [] : at.org === 'o' ? [root.path] : [[root.path, ...reader.viewPaths]];
      // today's cards by their organization: as an array the planner probes members_organization_idx with it
      // (as `IN` it took the GiST's estimate of 1,500 organizations under each ППО and scanned the region)
      const matching =
        at.org === 'o'
          ? `m.organization_id = ANY(ARRAY(${set.sql}))`
          : `${presentOr('o.id', `${at.org}.id`)} IN (${set.sql})`;
      query.whereRaw(matching, [...set.bindings, ...paths]);
    }
  }
  const surnameLike = f.q ? containsPattern(f.q) : null;
  // through members_region_surname_key_trgm: "семенова" finds «Семёнова»; the stored key (= match_key(surname))
  // makes each candidate's recheck a plain comparison instead of match_key() again (issue 15)
  if (surnameLike) query.whereRaw('m.surname_key LIKE ?', [surnameLike]);
  return query;
}

/**
 * How the employer kind narrows a page (member-counted.repo's RegionPlan): `walk` tests each card a sort
 * index walks; `join` lets the planner start from the kind's organizations in the root; `gather` reads all
 * of them in the root (a region) and sorts, `region` those of the union's region `r` being merged.
 */
type KindBy = 'join' | 'walk' | 'region' | 'gather';

/**
 * How a read of the matches in any order (a count, fewMatches) tests the employer kind: on each card read when
 * the kind is dense in the root (member-employer-kind.repo), else through its organizations (`join`).
 */
async function kindReadBy(db: Knex, root: ListRoot, f: MemberListFilter): Promise<KindBy> {
  return f.employerKind && !isDatedList(f) && (await isKindDense(db, root, f.employerKind)) ? 'walk' : 'join';
}

/** The rows of a list with the rule applied, selected as `ListedMember`s. */
function listedRows(
  db: Knex,
  root: ListRoot,
  filter: MemberListFilter,
  reader: ListReader,
  kindBy: KindBy = 'join',
  filtered = true,
) {
  const listed = listedMembers(db, root, filter, reader);
  return (filtered ? applyFilter(listed, filter, root, reader, kindBy) : listed.query).select(
    db.raw(listedColumns(listed.at)),
  );
}

/** The sort columns as the list's selected names (for ordering the union's per-region pages). */
const SELECTED_AS: Record<string, string> = {
  'm.surname': 'surname',
  'm.name': 'name',
  'm.id': 'id',
  'm.birth_date': 'birthDate',
  'm.joined_on': 'joinedOn',
};

/** One page of a subtree's members, keyset-paginated on the sort's columns (names in the Russian collation). */
export async function listMembers(
  db: Knex,
  root: ListRoot,
  filter: MemberListFilter,
  reader: ListReader,
  sort: MemberSort,
  after: MemberCursor | null,
  pageSize: number,
) {
  const { items, next } = await pageOfMembers(db, root, filter, reader, sort, after, pageSize);
  return { items, next };
}

/**
 * A page with the list's total up to `cap` (countMembersUpTo). A region's search counts its matches as it
 * gathers them, and a page planned from the counters (isTotalOfPlan) has read the total with its plan: such a
 * page then needs no second read of them (the filtered list's count was a statement of its own, issue 15).
 */
export async function listMembersCountedUpTo(
  db: Knex,
  root: ListRoot,
  filter: MemberListFilter,
  reader: ListReader,
  sort: MemberSort,
  after: MemberCursor | null,
  pageSize: number,
  cap: number,
): Promise<[{ items: ListedMember[]; next: MemberCursor | null }, MemberCount]> {
  const ofPlan = isTotalOfPlan(root, filter);
  if (!ofPlan && (after || !isRegionSearch(root, filter))) {
    return Promise.all([
      listMembers(db, root, filter, reader, sort, after, pageSize),
      countMembersUpTo(db, root, filter, reader, cap),
    ]);
  }
  const { items, next, total } = await pageOfMembers(db, root, filter, reader, sort, after, pageSize);
  // what the counters count is exact whatever the cap (as countMembersUpTo counts it)
  const count =
    total !== null && (ofPlan || total <= cap)
      ? { count: total, capped: false }
      : await countMembersUpTo(db, root, filter, reader, cap);
  return [{ items, next }, count];
}

async function pageOfMembers(
  db: Knex,
  root: ListRoot,
  filter: MemberListFilter,
  reader: ListReader,
  sort: MemberSort,
  after: MemberCursor | null,
  pageSize: number,
): Promise<{ items: ListedMember[]; next: MemberCursor | null; total: number | null }> {
  // every card of the union is registered inside it: its list of a date is one of today's cards
  if (isDatedList(filter) && root.level === 'union' && seesAllOf(reader, root)) filter = ofCardsInsideNow(filter);
  const columns = MEMBER_SORTS[sort];
  const narrowed = (rows: Knex.QueryBuilder, inRegion?: Knex.Raw) => {
    if (inRegion) rows.where('m.region_id', inRegion);
    if (after && after.length === columns.length) {
      rows.whereRaw(`(${columns.map(() => '??').join(', ')}) > (${columns.map(() => '?').join(', ')})`, [
        ...columns,
        ...after,
      ]);
    }
    return rows;
  };
  // the sort keys of the matches: they read nothing of the organization, so its join is dropped
  const keysOf = (kindBy: KindBy, inRegion?: Knex.Raw) =>
    narrowed(applyFilter(listedMembers(db, root, filter, reader), filter, root, reader, kindBy), inRegion).select(
      db.raw(columns.map((c) => `${c} AS "${SELECTED_AS[c]}"`).join(', ')),
    );
  const keyOrder = columns.map((c) => `k."${SELECTED_AS[c]}"`).join(', ');
  const page = (kindBy: KindBy = 'join', inRegion?: Knex.Raw, gathered = kindBy === 'gather', limited = true) => {
    // gathered, the page's rows are those of the matches' first keys: the filter is not tested on them again (the
    // union's pensioners of kindergartens read each region's organizations of the kind twice: 138,000 buffers more)
    const ordered = narrowed(listedRows(db, root, filter, reader, kindBy, !gathered), inRegion).orderBy(
      columns.map((column) => ({ column })),
    );
    if (limited) ordered.limit(pageSize + 1);
    if (!gathered) return ordered;
    // gathered: the sort keys of every match read, then sorted (the limit keeps the planner from walking the
    // sort index instead, as it would for a page it believes dense), and only the page's rows read in full
    // (gathering whole rows hashed all 150,000 organizations for a surname's 2,600 matches, issue 15)
    return ordered.whereRaw(`m.id = ANY(ARRAY(SELECT k.id FROM (?) k ORDER BY ${keyOrder} LIMIT ?))`, [
      keysOf(kindBy, inRegion).limit(2_147_483_647),
      pageSize + 1,
    ]);
  };
  /** Pages of parts of the list, each in the sort's order, merged into the first rows of their union. */
  const merged = async (parts: (Knex.QueryBuilder | Knex.Raw)[]): Promise<ListedMember[]> =>
    (
      await db.raw(
        `SELECT y.* FROM (${parts.map(() => '(?)').join(' UNION ALL ')}) y ORDER BY ${columns.map((c) => `y."${SELECTED_AS[c]}"`).join(', ')} LIMIT ?`,
        [...parts, pageSize + 1],
      )
    ).rows;
  /** The matches' sort keys read up to `cap` (one past it tells there are more): how many, and the page's first ids. */
  const firstKeys = async (keys: Knex.QueryBuilder, cap: number): Promise<{ n: number; ids: number[] }> =>
    (
      await db.raw(
        `WITH k AS MATERIALIZED (?) SELECT (SELECT count(*) FROM k)::int AS n, ARRAY(SELECT k.id FROM k ORDER BY ${keyOrder} LIMIT ?) AS ids`,
        [keys.limit(cap + 1), pageSize + 1],
      )
    ).rows[0];
  /**
   * A filter on what neither the counters nor the sort indexes' entries hold (an e-mail that bounced, a union
   * card, a consent) may match few cards or none, spread anywhere: a walk of the sort indexes then probes
   * every card (the union's list of a past date with an invalid e-mail took 5.6 s for nothing). The matches
   * are first read in any order, up to a cap: within it, the page is their first ids; past it they are many,
   * and the walk finds a page soon.
   */
  const fewMatches = async (): Promise<number[] | null> => {
    if (!mayMatchFew(filter) || filter.q || (root.level !== 'union' && root.level !== 'regional')) return null;
    if (root.level === 'regional' && isDatedList(filter) && seesAllOf(reader, root)) return null;
    const hit = await firstKeys(keysOf(await kindReadBy(db, root, filter)), FEW_MATCHES);
    return hit.n > FEW_MATCHES ? null : hit.ids.map(Number);
  };
  const plan = await planOf(db, root, filter, pageSize + 1);
  let found: ListedMember[];
  // every match counted (a gathered search's, from the first row on; the counters' with the plan)
  let total: number | null = isTotalOfPlan(root, filter) ? (plan?.matches ?? null) : null;
  const few = plan && !plan.walk.length && !plan.gather.length ? [] : await fewMatches();
  if (few) found = few.length ? await page('join').whereRaw('m.id = ANY(?::bigint[])', [few]) : [];
  else if (root.level === 'union') {
    // The union's first page is the first rows of each region's own page, merged: 80 short index walks
    // instead of sorting 4 M cards; only the regions where the counters find a match are read.
    // a region whose matches are few is gathered like a region's own page (walking its sort index tested
    // 213,000 cards of 72 regions for their ППО's kind: 28 s under load, issue 15)
    // (null: every region with cards). Each region gives its first UNION_FEW rows, and a whole page only where
    // those may not be enough (regionsShortOfPage, a second read): each of 80 regions walked to 51 matches for 51
    // rows in all (a card kind held by one in ten: 40,000 cards read, 1.5 s under load, issue 15).
    let fuller: number[] = [];
    const regions = (ids: number[] | null, kindBy: KindBy, gathered = false) =>
      db.raw(
        `SELECT r.id AS "${REGION_OF}", x.* FROM organizations r
           CROSS JOIN LATERAL (? LIMIT CASE WHEN r.id = ANY(?::int[]) THEN ?::int ELSE ?::int END) x
          WHERE r.level = 'regional' AND r.id = ANY(coalesce(?::int[], ${REGIONS_WITH_CARDS}))`,
        [page(kindBy, db.raw('r.id'), gathered, false), fuller, pageSize + 1, UNION_FEW, ids],
      );
    // A list of the union on a date merges the regions' pages too: everyone on record on a date is someone's
    // card, registered in one region now (sorting the 3.5 M people of the date ran past the statement timeout);
    // the employer kind then asks for the period's organization wherever it lies (`join`).
    const parts = () =>
      isDatedList(filter)
        ? [regions(null, 'join')]
        : plan
          ? [regions(plan.walk, 'walk'), ...(plan.gather.length ? [regions(plan.gather, 'region', true)] : [])]
          : [regions(null, 'region')];
    let rows = (await merged(parts())) as (ListedMember & { [REGION_OF]: number })[];
    fuller = regionsShortOfPage(rows, UNION_FEW, pageSize + 1);
    if (fuller.length) rows = (await merged(parts())) as typeof rows;
    found = rows.map(({ [REGION_OF]: _region, ...row }) => row);
  } else if (root.level === 'regional' && isDatedList(filter) && seesAllOf(reader, root)) {
    // A region's list of a date: its own cards, read as today's list of every card with a period of the date
    // (member-list-dated.repo.ts; sorting the ~143,000 people of the date took ~1 s, issue 15), and those registered
    // in another region now (movedAway). The page's rows are then read as the list of the date shows them.
    const own = (await pageOfMembers(db, root, ofCardsInsideNow(filter), reader, sort, after, pageSize + 1)).items;
    const away = movedAway(keysOf('join'), root, filter.on!)
      .orderBy(columns.map((column) => ({ column })))
      .limit(pageSize + 1);
    found = await page('join').whereRaw(
      'm.id = ANY(ARRAY(SELECT unnest(?::bigint[]) UNION ALL SELECT k.id FROM (?) k))',
      [own.map((m) => m.id), away],
    );
  } else if (!plan && isRegionSearch(root, filter)) {
    // The planner takes a fragment's trigram estimate as spread evenly over the alphabet and walks the name
    // index, but matches cluster («бако» in «Рыбаков», «Собакова»: 127,000 cards tested for 51 rows, 0.8 s,
    // issue 15). One read through the trigram index takes the matches' keys up to a cap: within it, the page
    // is their first ids; past it, matches are dense enough for the walk to find a page soon.
    // The keys and the page's rows in one statement (they were two round trips, issue 15): the page reads the
    // first ids of the keys, and nothing when they are past the cap (a one-time filter on their count).
    const { rows } = await db.raw(
      `WITH k AS MATERIALIZED (?), n AS (SELECT count(*)::int AS n FROM k)
       SELECT n.n AS "${MATCHES}", p.* FROM n LEFT JOIN LATERAL (?) p ON true ORDER BY ${columns.map((c) => `p."${SELECTED_AS[c]}"`).join(', ')}`,
      [
        keysOf('join').limit(SEARCH_GATHER_CAP + 1),
        page('join').whereRaw(`n.n <= ? AND m.id = ANY(ARRAY(SELECT k.id FROM k ORDER BY ${keyOrder} LIMIT ?))`, [
          SEARCH_GATHER_CAP,
          pageSize + 1,
        ]),
      ],
    );
    const n: number = rows[0][MATCHES];
    if (n > SEARCH_GATHER_CAP) found = await page('join');
    else {
      found = rows.filter((r: ListedMember) => r.id !== null).map(({ [MATCHES]: _n, ...row }: ListedRow) => row);
      if (!after) total = n;
    }
  } else found = await page(plan?.walk.length ? 'walk' : plan?.gather.length ? 'gather' : 'join');
  const rows = found.map((r: ListedMember) => ({ ...r, id: Number(r.id) }));
  const items = rows.slice(0, pageSize);
  const last = items[items.length - 1];
  const valueOf: Record<string, (m: MemberRow) => string | number> = {
    'm.surname': (m) => m.surname,
    'm.name': (m) => m.name,
    'm.id': (m) => m.id,
    'm.birth_date': (m) => m.birthDate,
    'm.joined_on': (m) => m.joinedOn,
  };
  return { items, next: rows.length > pageSize && last ? columns.map((c) => valueOf[c]!(last)) : null, total };
}

/** Up to this many matches of a filter the counters cannot bound a page reads them all and sorts (fewMatches). */
const FEW_MATCHES = 1_000;

/** Filters on what a card's row does not hold: a page cannot tell how many match without reading them. */
const mayMatchFew = (f: MemberListFilter) => !!f.emailInvalid || !!f.cardStatus || !!f.cardKind || !!f.consent;

/** The column naming each row's region in the union's merge. */
const REGION_OF = 'regionOf';

/** The rows each region gives the union's merge first (all of the page's only where regionsShortOfPage finds them short). */
const UNION_FEW = 5;

/**
 * Of a merge of the regions' first `few` rows each (in the page's order, up to the `wanted` rows of a page),
 * the regions whose rows may not be enough: all `few` of them are on the page before its last row, so the
 * region's next row could belong on it too. A region with fewer rows gave all it has; one whose last row is
 * the page's last or beyond it has nothing more for this page.
 */
export function regionsShortOfPage(rows: { [REGION_OF]: number }[], few: number, wanted: number): number[] {
  const seen = new Map<number, number>();
  const short: number[] = [];
  rows.forEach((row, index) => {
    const count = (seen.get(row[REGION_OF]) ?? 0) + 1;
    seen.set(row[REGION_OF], count);
    if (count === few && index < wanted - 1) short.push(row[REGION_OF]);
  });
  return short;
}

/** The column of a region's search holding how many matches it read (up to SEARCH_GATHER_CAP and one). */
const MATCHES = 'matchesRead';
type ListedRow = ListedMember & { [MATCHES]: number };

/** Up to this many matches a region's search reads them all and sorts; past it, it walks the name index. */
const SEARCH_GATHER_CAP = 5_000;

/** A region's search of today, gathered when its matches are few (see listMembers). */
const isRegionSearch = (root: ListRoot, f: MemberListFilter) => !!f.q && root.level === 'regional' && !isDatedList(f);

/** A list whose page is planned from the counters (planOf) and whose whole filter they count: the plan holds its total. */
const isTotalOfPlan = (root: ListRoot, f: MemberListFilter) =>
  (root.level === 'union' || root.level === 'regional') && narrowsCounted(f) && isCountedFilter(f);

/**
 * Filters the maintained counts answer (member_counts, whose rows are per organization, so the employer
 * kind of the organization's ППО is one of them); any other filter is counted over the cards.
 */
function isCountedFilter(f: MemberListFilter): boolean {
  return (
    !f.q &&
    !f.consent &&
    !f.age &&
    !f.tenure &&
    !f.cardStatus &&
    !f.cardKind &&
    !f.on &&
    !f.emailInvalid &&
    !f.onRecordOn
  );
}

export async function countMembers(
  db: Knex,
  root: ListRoot,
  filter: MemberListFilter,
  reader: ListReader,
): Promise<number> {
  return (await countMembersUpTo(db, root, filter, reader, null)).count;
}

/** A list's total: exact, or — past `cap` — only that there are more (`capped`, the count then `cap`). */
export interface MemberCount {
  count: number;
  capped: boolean;
}

/**
 * The cards a list's filter matches, counted up to `cap` (null: all). What the counters count is exact and
 * cheap; any other filter is counted over the cards, and that count stops at `cap`: a region's 152,000 cards
 * probed for a consent or a union card took ~0.5 s, the union's ~2–3 s (issue 15), while the page needs no
 * more than «более N».
 */
export async function countMembersUpTo(
  db: Knex,
  root: ListRoot,
  filter: MemberListFilter,
  reader: ListReader,
  cap: number | null,
): Promise<MemberCount> {
  if (isDatedList(filter) && root.level === 'union' && seesAllOf(reader, root)) filter = ofCardsInsideNow(filter);
  if (isCountedFilter(filter)) {
    const row = await countedMatches(db, root, filter).first();
    return { count: Number(row?.count ?? 0), capped: false };
  }
  // a union card or consent filter alone is counted by the counts of what members hold; with others they bound it
  if (isHoldingCountable(root, filter)) {
    const held = await countHoldingMatches(db, root, filter);
    const others = { ...filter, cardStatus: undefined, cardKind: undefined, consent: undefined };
    if (held.length === 1 && isCountedFilter(others) && !narrowsCounted(others))
      return { count: held[0]!, capped: false };
    if (held.includes(0)) return { count: 0, capped: false };
  }
  // the counters bound what they count of the filter: none of that, none of the rest (a category nobody has
  // with a consent filter walked the whole region)
  if (narrowsCounted(filter) && !isDatedList(filter)) {
    const bound = await countedMatches(db, root, filter).first();
    if (!Number(bound?.count ?? 0)) return { count: 0, capped: false };
  }
  const matching = applyFilter(
    listedMembers(db, root, filter, reader),
    filter,
    root,
    reader,
    await kindReadBy(db, root, filter),
  );
  if (root.level === 'regional' && isDatedList(filter) && seesAllOf(reader, root) && narrowsCounted(filter)) {
    // the region's own cards and those registered elsewhere now, apart (as its page reads them): a category
    // of the date's rows is the card's or the period's, which no index answers (the ~143,000 periods of the
    // date were read for 4,300 pensioners, 0.4 s); without such a filter the date's periods reach the cap soon
    const [own, away] = await Promise.all([
      countMembersUpTo(db, root, ofCardsInsideNow(filter), reader, cap),
      countRowsUpTo(db, movedAway(matching, root, filter.on!), cap),
    ]);
    const count = own.count + away.count;
    return cap !== null && (own.capped || count > cap) ? { count: cap, capped: true } : { count, capped: false };
  }
  if (root.level === 'union' && cap !== null && onCardsOwnFields(filter)) {
    return countRowsUpTo(
      db,
      db.queryBuilder().from(db.raw('(?) AS y', [byRegion(db, matching.select(db.raw('1')))])),
      cap,
    );
  }
  return countRowsUpTo(db, matching, cap);
}

/** A filter on the card's own fields alone (and on what the counters count): a region's sort indexes hold them. */
const onCardsOwnFields = (f: MemberListFilter) =>
  !f.q && !f.consent && (!f.cardStatus || isLiveStatus(f.cardStatus)) && !f.emailInvalid && !f.employerKind;

/** «Без карты» or a status of a live card: kept on the card's row (live_card_status). */
const isLiveStatus = (status: string) => status === 'none' || (LIVE_STATUSES as readonly string[]).includes(status);

/**
 * The union's cards region by region (every region with cards, from the per-region counters): each region's
 * cards are a range of its own indexes, tested on their entries. Counting the union's pensioners aged 50–64
 * (6,487) scanned all 4 M cards (77,000 pages, 1.25 s); region by region, 10,000 index pages (0.5 s), and a
 * dense filter's 20,001 are the first two regions' (41 ms).
 */
function byRegion(db: Knex, rows: Knex.QueryBuilder) {
  return db.raw(
    `SELECT x.* FROM organizations r CROSS JOIN LATERAL (?) x WHERE r.level = 'regional' AND r.id = ANY(${REGIONS_WITH_CARDS})`,
    [rows.whereRaw('m.region_id = r.id')],
  );
}

/**
 * The regions with cards, from the per-region counters (1,279 rows): finding the regions among all 150,000
 * organizations by their level was a sequential scan of 4,000 pages for each union page.
 */
const REGIONS_WITH_CARDS = 'ARRAY(SELECT region_id FROM region_member_counts WHERE n > 0 GROUP BY region_id)';

async function countRowsUpTo(db: Knex, matching: Knex.QueryBuilder, cap: number | null): Promise<MemberCount> {
  if (cap === null) {
    const row = await matching.count('* as count').first();
    return { count: Number(row?.count ?? 0), capped: false };
  }
  const row = await db
    .count('* as count')
    .from(
      matching
        .select(db.raw('1'))
        .limit(cap + 1)
        .as('x'),
    )
    .first();
  const count = Number(row?.count ?? 0);
  return count > cap ? { count: cap, capped: true } : { count, capped: false };
}

/**
 * Of a region's list of a date, the people registered in another region now: their period of the date is
 * closed (a card's open period is where it is registered), so they are among the region's periods closed
 * after the date (member_periods_organization_end_idx), a few thousand rather than the ~143,000 of the date.
 */
const movedAway = (dated: Knex.QueryBuilder, region: ListRoot, on: string) =>
  dated.whereRaw('m.region_id <> ? AND p.valid_to > ?::date', [region.id, on]);

/** A filter on what the counters count beyond the state (category, sex, pedagogical post, employer kind). */
const narrowsCounted = (f: MemberListFilter) =>
  !!f.category || !!f.sex || f.pedagogical !== undefined || !!f.employerKind;

/**
 * Where a page of a region or of the union finds its rows (member-counted.repo's RegionPlan), when the
 * counters can tell: a filter on what they count beyond the state, or on a union card or consent
 * (member-holding-counted.repo; other filters narrow the rows further). null: read the cards as they come.
 */
async function planOf(db: Knex, root: ListRoot, filter: MemberListFilter, page: number) {
  if (root.level !== 'union' && root.level !== 'regional') return null;
  // with other filters too, the counted ones still say where no card can match
  // a region of the union gives UNION_FEW rows at first: walking costs that many rows over the matches' density
  // (over the share of cards holding what the filter asks, too: a walk tests that on each card it fetches)
  const holding = isHoldingCountable(root, filter);
  const countedPlan = async () => {
    const share = holding && filter.employerKind ? await heldShare(db, root, filter) : 1;
    const rows = (root.level === 'union' ? UNION_FEW : page) / Math.max(share, 1e-6) ** 2;
    return narrowsCounted(filter) && !isDatedList(filter) ? regionPlan(db, root, filter, rows) : null;
  };
  // the two plans read different counts: side by side, not one after the other
  const [counted, held] = await Promise.all([countedPlan(), holding ? holdingRegionPlan(db, root, filter) : null]);
  return bothPlans(counted, held);
}

/**
 * The members a mailing targets (the list's rule and filter, today's members of the subtree), as its
 * candidates: the card's address, whether it bounced for good, and whether the member consents to
 * mailings by e-mail now. Not ordered: the mailing reads it once, set-based.
 */
export function mailingCandidates(db: Knex, root: ListRoot, filter: MemberListFilter, reader: ListReader) {
  const f: MemberListFilter = { ...filter, status: 'active', on: undefined };
  return applyFilter(listedMembers(db, root, f, reader), f, root, reader).select(
    db.raw(`m.id AS member_id, m.organization_id, nullif(btrim(m.email), '') AS address, 'member' AS source,
            m.email_invalid_at IS NOT NULL AS invalid,
            EXISTS (SELECT 1 FROM member_consents c WHERE c.member_id = m.id AND c.kind = 'mailing'
                     AND c.channel = 'email' AND c.withdrawn_on IS NULL) AS consent`),
  );
}

/** The rows an export of the list writes, in the list's order, for streaming. */
export function filteredMembers(db: Knex, root: ListRoot, filter: MemberListFilter, reader: ListReader) {
  return listedRows(db, root, filter, reader).orderBy([
    { column: 'm.surname' },
    { column: 'm.name' },
    { column: 'm.id' },
  ]);
}

export interface DuplicateCandidate {
  id: number;
  organizationId: number;
  surname: string;
  name: string;
  patronymic: string | null;
  birthDate: string;
  organizationPath: string;
  organizationName: string;
  leftOn: string | null;
  matchedBy: string[];
}

/** What a duplicate check compares; a null field is not compared (a card edit checks only what it changes). */
export interface DuplicateProbe {
  surname: string | null;
  name: string | null;
  birthDate: string | null;
  snils: string | null;
  phone: string | null;
  email: string | null;
}

/** The card's person by surname, name and birth date as the duplicate check compares them (members_identity_key_idx). */
const SAME_PERSON =
  'match_key(m.surname) = match_key(:surname) AND match_key(m.name) = match_key(:name) AND m.birth_date = :birth::date';

/** People already on record who may be the same person: by name and birth date, SNILS, phone or e-mail. */
export async function findDuplicateCandidates(
  db: Knex,
  person: DuplicateProbe,
  excludeId?: number,
): Promise<DuplicateCandidate[]> {
  const { rows } = await db.raw(
    `SELECT m.id, m.organization_id, m.surname, m.name, m.patronymic, m.birth_date, m.left_on, o.path::text AS path, o.name AS org_name,
            array_remove(ARRAY[
              CASE WHEN ${SAME_PERSON} THEN 'ФИО и дата рождения' END,
              CASE WHEN m.snils = :snils THEN 'СНИЛС' END,
              CASE WHEN m.phone = :phone THEN 'телефон' END,
              CASE WHEN lower(m.email) = lower(:email) THEN 'e-mail' END], NULL) AS matched_by
       FROM members m JOIN organizations o ON o.id = m.organization_id
      WHERE m.id IN (
              SELECT id FROM members m WHERE ${SAME_PERSON}
              UNION SELECT id FROM members WHERE snils = :snils
              UNION SELECT id FROM members WHERE phone = :phone
              UNION SELECT id FROM members WHERE lower(email) = lower(:email))
        AND m.id <> :exclude AND m.merged_into_id IS NULL
      ORDER BY m.left_on IS NOT NULL, m.surname, m.name
      LIMIT 20`,
    {
      surname: person.surname,
      name: person.name,
      birth: person.birthDate,
      snils: person.snils,
      phone: person.phone,
      email: person.email,
      exclude: excludeId ?? -1,
    },
  );
  return rows.map((r: Record<string, unknown>) => ({
    id: Number(r.id),
    organizationId: r.organization_id,
    surname: r.surname,
    name: r.name,
    patronymic: r.patronymic,
    birthDate: r.birth_date,
    organizationPath: r.path,
    organizationName: r.org_name,
    leftOn: r.left_on,
    matchedBy: r.matched_by,
  })) as DuplicateCandidate[];
}

/** The card's own columns from the card form (identity, contacts, position, study). */
function cardColumns(input: PersonInput) {
  return {
    surname: input.surname,
    name: input.name,
    patronymic: input.patronymic,
    sex: input.sex,
    birth_date: input.birthDate,
    phone: input.phone,
    email: input.email,
    snils: input.snils,
    position: input.position,
    professional_group: input.professionalGroup,
    study_form: input.studyForm,
    study_year: input.studyYear,
  };
}

/** A new card; its membership history is opened by the caller in the same transaction. */
export async function insertMember(
  trx: Knex,
  input: PersonInput,
  membership: { organizationId: number; category: string; isPedagogical: boolean; joinedOn: string },
): Promise<number> {
  const [row] = await trx('members')
    .insert({
      ...cardColumns(input),
      organization_id: membership.organizationId,
      category: membership.category,
      is_pedagogical: membership.isPedagogical,
      joined_on: membership.joinedOn,
    })
    .returning('id');
  return Number(row.id);
}

/** The card's form saved over the version it was read at (the caller holds the card's lock). */
export async function updateMemberCard(trx: Knex, id: number, version: number, input: PersonInput) {
  await trx('members')
    .where({ id, version })
    .update({ ...cardColumns(input), updated_at: trx.fn.now() });
}

/** Of the given cards, those on record inside the subtree, with the organization each is registered in. */
export async function activeMembersIn(
  trx: Knex,
  memberIds: number[],
  rootPath: string,
): Promise<{ id: number; org: { id: number; path: string; level: string } }[]> {
  const rows = await trx('members as m')
    .join('organizations as o', 'o.id', 'm.organization_id')
    .whereIn('m.id', memberIds)
    .whereRaw('o.path <@ ?::ltree', [rootPath])
    .whereNull('m.left_on')
    .select('m.id', 'o.id as org_id', 'o.path', 'o.level');
  return rows.map((r) => ({ id: Number(r.id), org: { id: r.org_id, path: r.path, level: r.level } }));
}

export interface OwnOrganization {
  name: string;
  phone: string | null;
  email: string | null;
  address: string | null;
  website: string | null;
  chairSurname: string | null;
  chairName: string | null;
  chairPatronymic: string | null;
}

/**
 * The ППО a card is registered in (itself, or the nearest above a subdivision or group) with its contacts and
 * current chair: what a member reading their own card needs to reach their union organization.
 */
export async function findOwnPrimary(db: Knex, organizationPath: string): Promise<OwnOrganization | undefined> {
  return db('organizations as o')
    .leftJoin('org_officers as f', (j) =>
      j.on('f.organization_id', 'o.id').andOnVal('f.post', 'chair').andOnNull('f.ended_on'),
    )
    .whereRaw('o.path @> ?::ltree', [organizationPath])
    .where('o.level', 'primary')
    .orderByRaw('nlevel(o.path) DESC, f.elected_on DESC NULLS LAST')
    .first({
      name: 'o.name',
      phone: 'o.phone',
      email: 'o.email',
      address: 'o.address',
      website: 'o.website',
      chairSurname: 'f.surname',
      chairName: 'f.name',
      chairPatronymic: 'f.patronymic',
    });
}

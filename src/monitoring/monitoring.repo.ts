import type { Knex } from 'knex';
import { ORG_FILTERS } from '../registry/structure.repo';
import type { Level } from '../registry/levels';
import { regionIdOf } from '../shared/org-paths';

/**
 * The monitoring's figures of a subtree, each column group one set-based query grouped by the root's child
 * that holds the row (the root's own rows under its own id): a region's 30–60 territorial organizations
 * are one scan of the region, never a query per child.
 */

/** The child of the root (depth = nlevel of the root's path) whose subtree holds `o`, or the root itself. */
const CHILD_KEY = `CASE WHEN nlevel(o.path) > :depth THEN ltree2text(subltree(o.path, :depth, :depth + 1))::int ELSE o.id END`;

export interface Root {
  id: number;
  path: string;
}

const depthOf = (root: Root) => root.path.split('.').length;

/** One aggregate query of the subtree grouped by the child whose subtree holds each row (`o`). */
export async function byChild<T>(db: Knex, root: Root, on: string, columns: string, from: string): Promise<T[]> {
  const read = (q: Knex) =>
    q.raw(`SELECT ${CHILD_KEY} AS "childId", ${columns} ${from} GROUP BY 1`, {
      depth: depthOf(root),
      path: root.path,
      on,
    });
  // the union's 79,000 organizations joined in one pass each, not probed one by one
  const { rows } = await forTheUnion(db, root, 'SET LOCAL enable_nestloop = off', read);
  return rows;
}

/** `read` with a setting of its own (in a transaction of its own) for the whole union, as it is for smaller subtrees. */
const forTheUnion = <T>(db: Knex, root: Root, setting: string, read: (q: Knex) => Promise<T>): Promise<T> =>
  depthOf(root) === 1
    ? db.transaction(async (trx) => {
        await trx.raw(setting);
        return read(trx);
      })
    : read(db);

export interface ChildOrg {
  id: number;
  inpo: string;
  name: string;
  shortName: string | null;
  level: Level;
}

/** The root's children that existed on the date (created by then, not liquidated by then), by name. */
export async function childrenOn(db: Knex, root: Root, on: string): Promise<ChildOrg[]> {
  return db('organizations')
    .where({ parent_id: root.id })
    .where('created_on', '<=', on)
    .where((w) => w.whereNull('liquidated_on').orWhere('liquidated_on', '>', on))
    .orderBy([{ column: 'name' }, { column: 'id' }])
    .select({ id: 'id', inpo: 'inpo', name: 'name', shortName: 'short_name', level: 'level' });
}

export interface MemberFigures {
  childId: number;
  members: number;
  working: number;
  student: number;
  pensioner: number;
  unemployed: number;
  /** members with at least one card in the status (the cards' present state) */
  requested: number;
  sentToProduction: number;
  produced: number;
  deliveredToRegion: number;
  handedToOrganization: number;
  issued: number;
  refused: number;
  lost: number;
  blocked: number;
  issuedPlastic: number;
  issuedVirtual: number;
  withoutCard: number;
  processingConsent: number;
  withoutProcessingConsent: number;
  mailingConsent: number;
}

/** A card status or issued kind as one bit of a member's cards (`c.bits`), the consents as bits of `k.bits`. */
const CARD_BITS = {
  requested: 1,
  sentToProduction: 2,
  produced: 4,
  deliveredToRegion: 8,
  handedToOrganization: 16,
  issued: 32,
  refused: 64,
  lost: 128,
  blocked: 256,
} as const;
const STATUS_OF: Record<keyof typeof CARD_BITS, string> = {
  requested: 'requested',
  sentToProduction: 'sent_to_production',
  produced: 'produced',
  deliveredToRegion: 'delivered_to_region',
  handedToOrganization: 'handed_to_organization',
  issued: 'issued',
  refused: 'refused',
  lost: 'lost',
  blocked: 'blocked',
};
const ISSUED_PLASTIC = 512;
const ISSUED_VIRTUAL = 1024;
/** a card that is not refused, lost or blocked */
const LIVE_CARD = 2048;
const PROCESSING = 1;
const MAILING = 2;

/** The bits of one card `u`. */
const cardBits = `CASE u.status ${Object.entries(CARD_BITS)
  .map(([k, bit]) => `WHEN '${STATUS_OF[k as keyof typeof CARD_BITS]}' THEN ${bit}`)
  .join(' ')} ELSE 0 END
  | CASE WHEN u.status = 'issued' AND u.kind = 'plastic' THEN ${ISSUED_PLASTIC} ELSE 0 END
  | CASE WHEN u.status = 'issued' AND u.kind = 'virtual' THEN ${ISSUED_VIRTUAL} ELSE 0 END
  | CASE WHEN u.status NOT IN ('refused', 'lost', 'blocked') THEN ${LIVE_CARD} ELSE 0 END`;
const consentBits = `CASE k.kind WHEN 'processing' THEN ${PROCESSING} WHEN 'mailing' THEN ${MAILING} ELSE 0 END`;

/**
 * The cards (`c.bits`) and active consents (`k.bits`) of each member period `p`: probed per member for a few
 * organizations; for many, every card and consent grouped once by member and hash-joined (a probe each of
 * 3.7 M members took minutes).
 */
const cardsAndConsents = (hashed: boolean) =>
  hashed
    ? `LEFT JOIN (SELECT u.member_id, bit_or(${cardBits}) AS bits FROM union_cards u GROUP BY 1) c ON c.member_id = p.member_id
       LEFT JOIN (SELECT k.member_id, bit_or(${consentBits}) AS bits FROM member_consents k WHERE k.withdrawn_on IS NULL GROUP BY 1) k
              ON k.member_id = p.member_id`
    : `CROSS JOIN LATERAL (SELECT bit_or(${cardBits}) AS bits FROM union_cards u WHERE u.member_id = p.member_id) c
       CROSS JOIN LATERAL (SELECT bit_or(${consentBits}) AS bits FROM member_consents k
                            WHERE k.member_id = p.member_id AND k.withdrawn_on IS NULL) k`;

const has = (alias: string, bit: number) => `count(*) FILTER (WHERE coalesce(${alias}.bits, 0) & ${bit} <> 0)::int`;

/** The figures of member periods `p` (with their cards `c` and consents `k`), as MemberFigures' keys. */
const MEMBER_AGGREGATES: Record<keyof Omit<MemberFigures, 'childId'>, string> = {
  members: 'count(*)::int',
  working: `count(*) FILTER (WHERE p.category = 'working')::int`,
  student: `count(*) FILTER (WHERE p.category = 'student')::int`,
  pensioner: `count(*) FILTER (WHERE p.category = 'pensioner')::int`,
  unemployed: `count(*) FILTER (WHERE p.category = 'unemployed')::int`,
  ...(Object.fromEntries(Object.entries(CARD_BITS).map(([k, bit]) => [k, has('c', bit)])) as Record<
    keyof typeof CARD_BITS,
    string
  >),
  issuedPlastic: has('c', ISSUED_PLASTIC),
  issuedVirtual: has('c', ISSUED_VIRTUAL),
  withoutCard: `count(*) FILTER (WHERE coalesce(c.bits, 0) & ${LIVE_CARD} = 0)::int`,
  processingConsent: has('k', PROCESSING),
  withoutProcessingConsent: `count(*) FILTER (WHERE coalesce(k.bits, 0) & ${PROCESSING} = 0)::int`,
  mailingConsent: has('k', MAILING),
};
const FIGURE_KEYS = Object.keys(MEMBER_AGGREGATES) as (keyof typeof MEMBER_AGGREGATES)[];
/** monitoring_cache's column of a figure: sentToProduction → sent_to_production */
const columnOf = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Members on record on the date (the membership period covering it, in an organization `s.id`; the category
 * of that period), with the present state of their union cards and consents, grouped by `key` — the same
 * people and the same tests as the member list of `?on=` with its card and consent filters
 * (members.repo applyFilter).
 */
const liveFigures = (orgs: string, key: string, hashed: boolean) =>
  `SELECT ${key}, ${FIGURE_KEYS.map((f) => `${MEMBER_AGGREGATES[f]} AS "${f}"`).join(', ')}
     FROM ${orgs} s
     ${
       hashed
         ? 'JOIN member_periods p ON p.organization_id = s.id AND p.valid_from <= :on::date AND (p.valid_to IS NULL OR p.valid_to > :on::date)'
         : // an index probe per organization, whatever the planner guesses of how many are stale (OFFSET 0: not flattened)
           `CROSS JOIN LATERAL (SELECT * FROM member_periods p WHERE p.organization_id = s.id
                                   AND p.valid_from <= :on::date AND (p.valid_to IS NULL OR p.valid_to > :on::date) OFFSET 0) p`
     }
     JOIN members m ON m.id = p.member_id AND m.merged_into_id IS NULL
     ${cardsAndConsents(hashed)}
    GROUP BY 1`;

/** The root's subtree, every organization (the union: no ltree range over 150,000 paths). */
export const inSubtree = (root: Root) => (depthOf(root) === 1 ? 'true' : 'o.path <@ :path::ltree');

/** Above this many organizations to compute, one pass over every card and consent beats a probe per member. */
const HASHED_ABOVE = 5_000;

/**
 * Computes the monitoring's member figures of the subtree's organizations that have none trusted for the
 * date (migration create-monitoring-cache) and keeps them with the generation read in the same snapshot:
 * a change committed meanwhile has moved the generation on, so the row is never trusted.
 */
export function refreshMemberFigures(db: Knex, root: Root, on: string): Promise<number> {
  // a second page of the same subtree and date waits for the build under way instead of starting its own
  const key = `${root.path}|${on}`;
  const running = refreshing.get(key);
  if (running) return running;
  const build = buildMemberFigures(db, root, on).finally(() => refreshing.delete(key));
  refreshing.set(key, build);
  return build;
}
const refreshing = new Map<string, Promise<number>>();

async function buildMemberFigures(db: Knex, root: Root, on: string): Promise<number> {
  const bindings = { path: root.path, on };
  const stale = `SELECT o.id, coalesce(g.gen, 0) AS gen FROM organizations o
      LEFT JOIN monitoring_gens g ON g.organization_id = o.id
      LEFT JOIN monitoring_cache c ON c.as_of = :on::date AND c.organization_id = o.id
     WHERE ${inSubtree(root)} AND c.gen IS DISTINCT FROM coalesce(g.gen, 0)`;
  return db.transaction(async (trx) => {
    await trx.raw('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    const { rows } = await trx.raw(`SELECT count(*)::int AS n FROM (${stale}) s`, bindings);
    const n: number = rows[0].n;
    if (!n) return 0;
    const hashed = n > HASHED_ABOVE;
    // a whole build (a new date of the union: every card and consent once) is a build, not a page's query
    if (hashed) await trx.raw("SET LOCAL work_mem = '256MB'; SET LOCAL statement_timeout = 0");
    const columns = FIGURE_KEYS.map(columnOf);
    await trx.raw(
      `WITH stale AS MATERIALIZED (${stale}),
            figures AS (${liveFigures('stale', 's.id AS organization_id', hashed)})
       INSERT INTO monitoring_cache AS x (as_of, organization_id, gen, built_at, ${columns.join(', ')})
       SELECT :on::date, s.id, s.gen, now(), ${FIGURE_KEYS.map((f) => `coalesce(f."${f}", 0)`).join(', ')}
         FROM stale s LEFT JOIN figures f ON f.organization_id = s.id ORDER BY s.id
       ON CONFLICT (as_of, organization_id) DO UPDATE SET gen = EXCLUDED.gen, built_at = EXCLUDED.built_at,
          ${columns.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`,
      bindings,
    );
    return n;
  });
}

/** Kept figures of other dates than today are forgotten a week after they were computed (built again when asked). */
const KEEP_DAYS = 7;

/**
 * Hourly: forgets the kept figures of dates nobody asked for in a week and brings today's figures of the whole
 * union up to date, so that the first monitoring page of a day does not count 4 M members itself.
 */
export async function warmMonitoring(db: Knex, today: string): Promise<void> {
  await db('monitoring_cache')
    .whereNot('as_of', today)
    .whereRaw(`built_at < now() - make_interval(days => ?)`, [KEEP_DAYS])
    .delete();
  const union = await db('organizations').whereNull('parent_id').first('id', 'path');
  if (union) await refreshMemberFigures(db, union, today);
}

/**
 * The member figures of the subtree per child: the kept figures of each organization whose generation they
 * carry, and the others counted live in the same snapshot (those changed since the last refresh, or not yet
 * replayed on a standby) — so the sum is always that of the live count.
 */
export async function memberFiguresOn(db: Knex, root: Root, on: string): Promise<MemberFigures[]> {
  // the union's 150,000 kept rows are grouped in memory, not sorted on disk
  const read = (q: Knex) =>
    q.raw(
      `WITH sub AS MATERIALIZED (
            SELECT o.id, ${CHILD_KEY} AS child, coalesce(g.gen, 0) AS gen
              FROM organizations o LEFT JOIN monitoring_gens g ON g.organization_id = o.id
             WHERE ${inSubtree(root)}),
          stale AS (SELECT s.id, s.child FROM sub s WHERE NOT EXISTS (
                      SELECT 1 FROM monitoring_cache c WHERE c.as_of = :on::date AND c.organization_id = s.id AND c.gen = s.gen))
     SELECT s.child AS "childId", ${FIGURE_KEYS.map((f) => `sum(c.${columnOf(f)})::int AS "${f}"`).join(', ')}
       FROM sub s JOIN monitoring_cache c ON c.as_of = :on::date AND c.organization_id = s.id AND c.gen = s.gen
      GROUP BY 1 HAVING sum(c.members) > 0
     UNION ALL
     ${liveFigures('stale', 's.child', false)}`,
      { depth: depthOf(root), path: root.path, on },
    );
  const { rows } = await forTheUnion(db, root, "SET LOCAL work_mem = '64MB'", read);
  const byChild = new Map<number, MemberFigures>();
  for (const r of rows as MemberFigures[]) {
    const sum = byChild.get(r.childId);
    if (!sum) byChild.set(r.childId, r);
    else for (const f of FIGURE_KEYS) sum[f] += r[f];
  }
  return [...byChild.values()];
}

export interface OrgFigures {
  childId: number;
  territorial: number;
  primary: number;
  noChair: number;
  expiredTerm: number;
  noTerm: number;
  incomplete: number;
  noMembers: number;
}

/**
 * Organizations entered (territorial and ППО that existed on the date) and the passports of the open ППО
 * as they are now, counted with the organization search's own filters (registry/structure.repo ORG_FILTERS),
 * so that the search behind a number lists exactly the counted ones.
 */
export async function orgFiguresOn(db: Knex, root: Root, on: string): Promise<OrgFigures[]> {
  const existed = EXISTED;
  const ppo = (filter: string) =>
    `count(*) FILTER (WHERE o.level = 'primary' AND g.id IS NOT NULL AND (${filter}))::int`;
  return byChild<OrgFigures>(
    db,
    root,
    on,
    `count(*) FILTER (WHERE o.level = 'territorial' AND ${existed})::int AS territorial,
            count(*) FILTER (WHERE o.level = 'primary' AND ${existed})::int AS primary,
            ${ppo(ORG_FILTERS.no_chair)} AS "noChair",
            ${ppo(ORG_FILTERS.expired_term)} AS "expiredTerm",
            ${ppo(ORG_FILTERS.no_term)} AS "noTerm",
            ${ppo(ORG_FILTERS.incomplete)} AS incomplete,
            ${ppo(ORG_FILTERS.no_members)} AS "noMembers"`,
    `FROM organizations o
       LEFT JOIN org_passport_gaps g ON g.id = o.id
      WHERE ${inSubtree(root)} AND o.level IN ('territorial', 'primary')`,
  );
}

export interface DeclaredRow {
  organizationId: number;
  onDate: string;
  membersTotal: number;
  working: number | null;
  student: number | null;
  pensioner: number | null;
  unemployed: number | null;
  territorialOrgs: number | null;
  primaryOrgs: number | null;
  /** entered on the form, imported from XLSX, or read from a report filed in the registry */
  source: 'entered' | 'imported' | 'filed';
}

const DECLARED_COLUMNS = {
  organizationId: 'organization_id',
  onDate: 'on_date',
  membersTotal: 'members_total',
  working: 'working',
  student: 'student',
  pensioner: 'pensioner',
  unemployed: 'unemployed',
  territorialOrgs: 'territorial_orgs',
  primaryOrgs: 'primary_orgs',
  source: 'source',
};

/** The latest declared figures of each organization on or before the date (the last statistical report). */
export async function latestDeclared(db: Knex, ids: number[], on: string): Promise<DeclaredRow[]> {
  if (!ids.length) return [];
  return db('declared_figures')
    .distinctOn('organization_id')
    .whereIn('organization_id', ids)
    .where('on_date', '<=', on)
    .orderBy([{ column: 'organization_id' }, { column: 'on_date', order: 'desc' }])
    .select(DECLARED_COLUMNS);
}

export type DeclaredInput = Omit<DeclaredRow, 'organizationId' | 'onDate' | 'source'>;

/** Writes (or replaces) the declared figures of organizations for a date. */
export async function saveDeclared(
  db: Knex,
  rows: { organizationId: number; onDate: string; figures: DeclaredInput }[],
  source: 'entered' | 'imported',
  userId: number | null,
): Promise<void> {
  if (!rows.length) return;
  await db('declared_figures')
    .insert(
      rows.map((r) => ({
        organization_id: r.organizationId,
        on_date: r.onDate,
        members_total: r.figures.membersTotal,
        working: r.figures.working,
        student: r.figures.student,
        pensioner: r.figures.pensioner,
        unemployed: r.figures.unemployed,
        territorial_orgs: r.figures.territorialOrgs,
        primary_orgs: r.figures.primaryOrgs,
        source,
        entered_by: userId,
        updated_at: db.fn.now(),
      })),
    )
    .onConflict(['organization_id', 'on_date'])
    .merge();
}

/** Every declared date of one organization, latest first. */
export async function listDeclared(db: Knex, organizationId: number): Promise<DeclaredRow[]> {
  return db('declared_figures')
    .where({ organization_id: organizationId })
    .orderBy('on_date', 'desc')
    .select(DECLARED_COLUMNS);
}

/** The organizations of the subtree with these ИНПО (the import's rows name them). */
export { findOrgsByInpoWithin } from '../registry/orgs.repo';

/**
 * Members on record now by the root's child, from the maintained counters (member_counts) — the same people
 * as the monitoring's «На учёте» at today's date (the open periods; the membership guard keeps the cards'
 * state equal to them), without a scan of the periods: the union's 80 regions are a group by region.
 */
export async function membersNowByChild(
  db: Knex,
  root: Root & { level: Level },
): Promise<{ childId: number; members: number }[]> {
  if (root.level === 'union') {
    const { rows } = await db.raw(
      `SELECT c.region_id AS "childId", sum(c.n)::int AS members FROM member_counts c WHERE c.on_record GROUP BY 1`,
    );
    return rows;
  }
  const { rows } = await db.raw(
    `SELECT ${CHILD_KEY} AS "childId", sum(c.n)::int AS members
       FROM member_counts c JOIN organizations o ON o.id = c.organization_id
      WHERE c.region_id = :region AND c.on_record AND o.path <@ :path::ltree
      GROUP BY 1`,
    { depth: depthOf(root), path: root.path, region: regionIdOf(root.path) },
  );
  return rows;
}

/** Organizations that exist on the date (`o`): created by then, not liquidated by then. */
const EXISTED = `o.created_on <= :on::date AND (o.liquidated_on IS NULL OR o.liquidated_on > :on::date)`;

/**
 * The subtree's ППО that exist on the date and, of those open now, the ones whose chair's term has expired —
 * the monitoring's «ППО в реестре» and «ППО с истёкшим сроком полномочий» totals, in one row.
 */
export async function ppoCountsOn(db: Knex, root: Root, on: string): Promise<{ primary: number; expiredTerm: number }> {
  const { rows } = await db.raw(
    `SELECT count(*) FILTER (WHERE ${EXISTED})::int AS primary,
            count(*) FILTER (WHERE g.id IS NOT NULL AND (${ORG_FILTERS.expired_term}))::int AS "expiredTerm"
       FROM organizations o
       LEFT JOIN org_passport_gaps g ON g.id = o.id
      WHERE o.path <@ :path::ltree AND o.level = 'primary'`,
    { path: root.path, on },
  );
  return rows[0];
}

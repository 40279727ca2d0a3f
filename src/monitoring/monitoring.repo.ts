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
async function byChild<T>(db: Knex, root: Root, on: string, columns: string, from: string): Promise<T[]> {
  const { rows } = await db.raw(`SELECT ${CHILD_KEY} AS "childId", ${columns} ${from} GROUP BY 1`, {
    depth: depthOf(root),
    path: root.path,
    on,
  });
  return rows;
}

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

/**
 * Members on record on the date (the membership period covering it, in an organization of the subtree; the
 * category of that period), with the present state of their union cards and consents — the same people and
 * the same tests as the member list of `?on=` with its card and consent filters (members.repo applyFilter).
 */
export async function memberFiguresOn(db: Knex, root: Root, on: string): Promise<MemberFigures[]> {
  const live = `('refused', 'lost', 'blocked')`;
  const status = (s: string) => `count(*) FILTER (WHERE '${s}' = ANY(c.statuses))::int`;
  return byChild<MemberFigures>(
    db,
    root,
    on,
    `count(*)::int AS members,
            count(*) FILTER (WHERE p.category = 'working')::int AS working,
            count(*) FILTER (WHERE p.category = 'student')::int AS student,
            count(*) FILTER (WHERE p.category = 'pensioner')::int AS pensioner,
            count(*) FILTER (WHERE p.category = 'unemployed')::int AS unemployed,
            ${status('requested')} AS requested,
            ${status('sent_to_production')} AS "sentToProduction",
            ${status('produced')} AS produced,
            ${status('delivered_to_region')} AS "deliveredToRegion",
            ${status('handed_to_organization')} AS "handedToOrganization",
            ${status('issued')} AS issued,
            ${status('refused')} AS refused,
            ${status('lost')} AS lost,
            ${status('blocked')} AS blocked,
            count(*) FILTER (WHERE 'plastic' = ANY(c.issued_kinds))::int AS "issuedPlastic",
            count(*) FILTER (WHERE 'virtual' = ANY(c.issued_kinds))::int AS "issuedVirtual",
            count(*) FILTER (WHERE NOT c.has_live)::int AS "withoutCard",
            count(*) FILTER (WHERE k.processing)::int AS "processingConsent",
            count(*) FILTER (WHERE NOT k.processing)::int AS "withoutProcessingConsent",
            count(*) FILTER (WHERE k.mailing)::int AS "mailingConsent"`,
    `FROM member_periods p
       JOIN organizations o ON o.id = p.organization_id
       JOIN members m ON m.id = p.member_id AND m.merged_into_id IS NULL
       CROSS JOIN LATERAL (
         SELECT coalesce(array_agg(u.status), '{}') AS statuses,
                coalesce(array_agg(u.kind) FILTER (WHERE u.status = 'issued'), '{}') AS issued_kinds,
                coalesce(bool_or(u.status NOT IN ${live}), false) AS has_live
           FROM union_cards u WHERE u.member_id = p.member_id) c
       CROSS JOIN LATERAL (
         SELECT coalesce(bool_or(k.kind = 'processing'), false) AS processing,
                coalesce(bool_or(k.kind = 'mailing'), false) AS mailing
           FROM member_consents k WHERE k.member_id = p.member_id AND k.withdrawn_on IS NULL) k
      WHERE o.path <@ :path::ltree AND p.valid_from <= :on::date AND (p.valid_to IS NULL OR p.valid_to > :on::date)`,
  );
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
      WHERE o.path <@ :path::ltree AND o.level IN ('territorial', 'primary')`,
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

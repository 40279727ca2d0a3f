import type { Knex } from 'knex';
import { BLOCK_BITS } from '../../db/shared-constants';
import { sqlDate } from './sql-fragments';

// A report at date D counts the subtrees as they stood on D (org_tree_history), not as they stand now:
// a ППО moved from one territory to another in May stays in the first one's report for 1 April. The
// whole period of a report (its start figure and its movement) is read in the tree of D, each member
// period in the ППО it was on (periodsCountedIn).
// Most reports need no history: when nothing in the roots' subtrees has moved since D, the present
// paths are the paths of D, and the queries keep reading `organizations` directly (one GiST range per
// root). Otherwise they read the positions of the date.

/** 'current': the present paths hold for every date the report reads; 'dated': they do not. */
export type Tree = 'current' | 'dated';

/**
 * Whether some organization moved into, out of or within the roots' subtrees after `since` (a move
 * dated later than the report is a move "after" it too). Reads only the positions a move began or ended
 * (a partial index), under any path a root had after `since`: well under a millisecond.
 */
export async function treeSince(db: Knex, rootIds: number[], since: string): Promise<Tree> {
  return (await frameSince(db, rootIds, since)).tree;
}

/**
 * One organization's subtree on a report date with the tree its queries read: decided once per report
 * and handed to every query of it (the figures, the cards behind them, the gaps, the texts).
 */
export interface RootOnDate {
  id: number;
  date: string;
  frame: Frame;
}

export async function rootOnDate(db: Knex, id: number, date: string): Promise<RootOnDate> {
  return { id, date, frame: await frameSince(db, [id], date) };
}

/** The tree the dates need and whether the only root is the union itself (every organization belongs). */
export async function frameSince(db: Knex, rootIds: number[], since: string): Promise<Frame> {
  const { rows } = await db.raw(
    `SELECT EXISTS (
       SELECT 1 FROM org_tree_history x JOIN org_tree_history h ON h.path <@ x.path
        WHERE x.organization_id = ANY(:ids::int[]) AND x.valid_to > :since::date
          AND (h.valid_from > '-infinity' OR h.valid_to < 'infinity')
          AND (h.valid_from > :since::date OR (h.valid_to > :since::date AND h.valid_to < 'infinity'))) AS moved,
       (SELECT bool_and(level = 'union') AND count(*) = 1 FROM organizations WHERE id = ANY(:ids::int[])) AS whole`,
    { ids: rootIds, since },
  );
  return { tree: rows[0].moved ? 'dated' : 'current', whole: !!rows[0].whole };
}

/** The positions on d (alias h). */
const positionOn = (h: string, d: string) => `${h}.valid_from <= ${d} AND ${h}.valid_to > ${d}`;

/**
 * The organizations with the path and the parent they had on d: `organizations` itself when the tree
 * has not changed; otherwise a relation of the same columns over the positions of d (the parent is the
 * path's last but one label: the path is an ltree of ids; the expression is indexed as written).
 */
export const orgsOn = (tree: Tree, d: string) =>
  tree === 'current'
    ? 'organizations'
    : `(SELECT o.id, o.level, o.inpo, o.name, o.employer_kind, o.has_territorial_rights, o.primary_form, o.created_on, o.liquidated_on, h.path,
               CASE WHEN nlevel(h.path) > 1 THEN ltree2text(subpath(h.path, -2, 1))::int END AS parent_id
          FROM org_tree_history h JOIN organizations o ON o.id = h.organization_id WHERE ${positionOn('h', d)})`;

/**
 * Which organizations each row of a result gathers: the subtrees of the roots (a row per root), or —
 * for the maintained statistics of the whole union (union-stats.ts) — blocks of 512 consecutive ids, a
 * row per block, each counted as a part of the union (the union is the root of every block).
 */
export interface Frame {
  tree: Tree;
  blocks?: boolean;
  /** the only root is the union: every organization belongs (no ltree range over 150,000 paths: 50–100 ms) */
  whole?: boolean;
  /**
   * Only the roots' own units (a primary form): a ППО with territorial rights without the child ППО it
   * holds and their units; each of those files its own form.
   */
  own?: boolean;
  /**
   * The organizations of each row were gathered once, by the statement's CTE `row_units` (rowUnitsCte): the
   * groups of a ППО's report sent as one statement read them there instead of each finding them again (the
   * subtree's range, its ППО test per unit: planned five times, issue 15).
   */
  shared?: boolean;
}
export { BLOCK_BITS };

/**
 * `WITH roots (key, root_id, root_path)`: the roots with their path on d, or the union (the one
 * organization without a parent, whose path never changes) once per block; binds the root ids or blocks.
 */
export const rootsOn = (f: Frame, d: string) => `WITH ${rootsCte(f, d)}`;

/** The CTE of rootsOn without its WITH, for a statement with more CTEs before it. */
export const rootsCte = (f: Frame, d: string) =>
  f.blocks
    ? `roots AS (SELECT b AS key, u.id AS root_id, u.path AS root_path FROM organizations u CROSS JOIN unnest(?::int[]) b WHERE u.parent_id IS NULL)`
    : `roots AS (SELECT id AS key, id AS root_id, path AS root_path FROM ${f.whole ? 'organizations' : orgsOn(f.tree, d)} ro WHERE id = ANY(?::int[]))`;

/**
 * Whether organization `alias` belongs to row r. A block is an equality on `id >> 9` (indexed), so that
 * all blocks at once are one hash join, not a range test of every row against every block.
 */
export const belongs = (f: Frame, alias: string) =>
  f.blocks ? `(${alias}.id >> ${BLOCK_BITS}) = r.key` : f.whole ? 'true' : `${alias}.path <@ r.root_path`;

/**
 * `JOIN <organizations on d> alias`: the organizations of row r on d. The whole union (and so each of
 * its blocks) holds every organization on every date: no positions to read (the queries that need the
 * parent an organization had on d read it themselves).
 */
export const under = (f: Frame, alias: string, d: string) =>
  f.shared
    ? `JOIN row_units ${alias} ON ${alias}.key = r.key`
    : `JOIN ${orgsAt(f, d)} ${alias} ON ${belongs(f, alias)}${f.own ? ` AND ${ppoOf(f, alias, d)} = r.root_id` : ''}`;

/**
 * CTE `row_units`: what `under` joins for each row, with every column of the organizations on d (orgsOn),
 * gathered once for the statement's groups (Frame.shared). Needs `roots`.
 */
export const rowUnitsCte = (f: Frame, d: string) =>
  `row_units AS MATERIALIZED (SELECT r.key, o.id, o.level, o.inpo, o.name, o.employer_kind, o.has_territorial_rights, o.primary_form,
          o.created_on, o.liquidated_on, o.path, o.parent_id FROM roots r ${under({ ...f, shared: false }, 'o', d)})`;

/** The relation of the organizations with their positions on d for this frame (the whole union: the present tree). */
export const orgsAt = (f: Frame, d: string) => (f.whole || f.blocks ? 'organizations' : orgsOn(f.tree, d));

/**
 * The ППО organization `alias` (of a relation from orgsAt) belongs to on d: itself, or the ППО above a
 * subdivision or group (a subdivision hangs under its ППО; a group under its ППО or a subdivision of it).
 * NULL for the levels above the ППО.
 */
export const ppoOf = (f: Frame, alias: string, d: string) => `CASE WHEN ${alias}.level = 'primary' THEN ${alias}.id
    WHEN ${alias}.level IN ('subdivision','group') THEN (SELECT CASE WHEN pa.level = 'primary' THEN pa.id ELSE pa.parent_id END FROM ${orgsAt(f, d)} pa WHERE pa.id = ${alias}.parent_id) END`;

/**
 * The column of member_periods by which a period belongs to an organization of the frame: its ППО
 * (`ppo_id`, the ППО whose record it was on: a unit passed to another ППО cuts its members' periods
 * there), whose place is judged by the tree of the report date. The union's blocks all lie in the union,
 * which holds every ППО: a block counts a period by its own organization, so that a change to a period
 * makes stale only the blocks of its organizations (the triggers of union_stats).
 */
export const periodsCountedIn = (f: Frame) => (f.blocks ? 'organization_id' : 'ppo_id');

/**
 * CTE `subtree (key, id, on_date, on_start)`: the organizations of each row. A report counts its ППО as
 * they stand on the report date at the start of its period too (a ППО moved in during the period brings
 * the members it had at the start; a unit passed to it brings none: periodsCountedIn), so the movement
 * identity holds for every ППО and for every sum of them.
 */
export const subtreeCte = (f: Frame, d: string) =>
  `subtree AS (SELECT r.key, o.id, true AS on_date, true AS on_start FROM roots r ${under(f, 'o', d)})`;

/** The children an organization had on a date (the filing board: who had to file to it then). */
export async function childrenOn(db: Knex, parentId: number, date: string): Promise<number[]> {
  const frame = await frameSince(db, [parentId], date);
  const d = sqlDate(date);
  const { rows } = await db.raw(
    `${rootsOn(frame, d)} SELECT o.id FROM roots r ${under(frame, 'o', d)} WHERE nlevel(o.path) = nlevel(r.root_path) + 1`,
    [[parentId]],
  );
  return rows.map((r: { id: number }) => r.id);
}

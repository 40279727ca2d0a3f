import type { Knex } from 'knex';
import { sqlDate } from './sql-fragments';

// A report at date D counts the subtrees as they stood on D (org_tree_history), not as they stand now:
// a ППО moved from one territory to another in May stays in the first one's report for 1 April.
// Most reports need no history: when nothing in the roots' subtrees has moved since the start of the
// period, the present paths are the paths of every date in it, and the queries keep reading
// `organizations` directly (one GiST range per root). Otherwise they read the positions of the date.

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
    : `(SELECT o.id, o.level, o.inpo, o.name, o.employer_kind, o.has_territorial_rights, o.created_on, o.liquidated_on, h.path,
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
}
export const BLOCK_BITS = 9;

/**
 * `WITH roots (key, root_id, root_path)`: the roots with their path on d, or the union (the one
 * organization without a parent, whose path never changes) once per block; binds the root ids or blocks.
 */
export const rootsOn = (f: Frame, d: string) =>
  f.blocks
    ? `WITH roots AS (SELECT b AS key, u.id AS root_id, u.path AS root_path FROM organizations u CROSS JOIN unnest(?::int[]) b WHERE u.parent_id IS NULL)`
    : `WITH roots AS (SELECT id AS key, id AS root_id, path AS root_path FROM ${f.whole ? 'organizations' : orgsOn(f.tree, d)} ro WHERE id = ANY(?::int[]))`;

/**
 * Whether organization `alias` belongs to row r. A block is an equality on `id >> 9` (indexed), so that
 * all blocks at once are one hash join, not a range test of every row against every block.
 */
export const belongs = (f: Frame, alias: string) => (f.blocks ? `(${alias}.id >> ${BLOCK_BITS}) = r.key` : f.whole ? 'true' : `${alias}.path <@ r.root_path`);

/**
 * `JOIN <organizations on d> alias`: the organizations of row r on d. The whole union (and so each of
 * its blocks) holds every organization on every date: no positions to read (the queries that need the
 * parent an organization had on d read it themselves).
 */
export const under = (f: Frame, alias: string, d: string) => `JOIN ${f.whole || f.blocks ? 'organizations' : orgsOn(f.tree, d)} ${alias} ON ${belongs(f, alias)}`;

/**
 * CTE `subtree (key, id, on_date, on_start)`: the organizations of each row on the date or at the
 * start of the period, flagged with when (with the present tree, or for the union and its blocks, always both).
 */
export function subtreeCte(f: Frame, d: string, s: string): string {
  if (f.tree === 'current' || f.blocks || f.whole) return `subtree AS (SELECT r.key, o.id, true AS on_date, true AS on_start FROM roots r ${under(f, 'o', d)})`;
  return `subtree AS (SELECT key, id, bool_or(on_date) AS on_date, bool_or(on_start) AS on_start FROM (
      SELECT r.key, o.id, true AS on_date, false AS on_start FROM roots r ${under(f, 'o', d)}
      UNION ALL
      SELECT rs.id, o.id, false, true FROM ${orgsOn(f.tree, s)} rs JOIN ${orgsOn(f.tree, s)} o ON o.path <@ rs.path WHERE rs.id IN (SELECT key FROM roots)) x
    GROUP BY 1, 2)`;
}

/**
 * CTE `within (key, id, valid_from, valid_to)`: the spans of (start, date] during which each
 * organization lay in each root's subtree (the root's own position may change too). Movement reads it
 * to tell, on any day, whether a member's organization belonged to the subtree.
 */
export const withinCte = (d: string, s: string) => `within AS (
    SELECT r.key, h.organization_id AS id, greatest(h.valid_from, rh.valid_from) AS valid_from, least(h.valid_to, rh.valid_to) AS valid_to
      FROM roots r JOIN org_tree_history rh ON rh.organization_id = r.root_id AND rh.valid_from <= ${d} AND rh.valid_to > ${s}
      JOIN org_tree_history h ON h.path <@ rh.path AND h.valid_from <= ${d} AND h.valid_to > ${s} AND h.valid_from < rh.valid_to AND h.valid_to > rh.valid_from)`;

/** The children an organization had on a date (the filing board: who had to file to it then). */
export async function childrenOn(db: Knex, parentId: number, date: string): Promise<number[]> {
  const frame = await frameSince(db, [parentId], date);
  const d = sqlDate(date);
  const { rows } = await db.raw(`${rootsOn(frame, d)} SELECT o.id FROM roots r ${under(frame, 'o', d)} WHERE nlevel(o.path) = nlevel(r.root_path) + 1`, [[parentId]]);
  return rows.map((r: { id: number }) => r.id);
}

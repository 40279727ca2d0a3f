import type { Knex } from 'knex';
import { TREE_CHANGE_ON_SETTING } from '../db/shared-constants';

// The positions of organizations in the tree over time (migration create-org-tree-history): the
// triggers write them; a restructuring operation only says which date its path changes take effect.

/** Path changes made later in this transaction take effect on `on` (the date of the move or merge). */
export async function dateTreeChanges(trx: Knex.Transaction, on: string): Promise<void> {
  await trx.raw('SELECT set_config(?, ?, true)', [TREE_CHANGE_ON_SETTING, on]);
}

/**
 * The latest date from which an organization of the subtree (below `path`, the top itself excluded
 * when `below`) or the new parent `parentId` holds its present position, or null when none has moved
 * since it was entered. A new move must not be dated before it: the history would contradict itself
 * (the moved organizations would hang, on the days between, under a parent that was elsewhere then).
 */
export async function lastPositionChange(
  db: Knex,
  path: string,
  parentId: number,
  below = false,
): Promise<string | null> {
  const { rows } = await db.raw(
    `SELECT max(h.valid_from)::text AS since FROM org_tree_history h
      WHERE (h.path <@ :path::ltree ${below ? 'AND h.path <> :path::ltree' : ''} OR h.organization_id = :parentId)
        AND h.valid_to = 'infinity' AND h.valid_from > '-infinity'`,
    { path, parentId },
  );
  return rows[0].since;
}

import type { Knex } from 'knex';

export interface MeetingsHeldOfChild {
  /** The child organization of the monitoring's root whose subtree held them. */
  organizationId: number;
  meetings: number;
}

/**
 * Meetings held per child organization of `parent` (issue 21, item 4): the closed meetings of the bodies of
 * each child's subtree dated within the period, one pass grouped by the child (children without any are left
 * out). The root's own meetings count in `own`, beside the children.
 */
export async function meetingsHeldPerChild(
  db: Knex,
  parent: { id: number; path: string },
  period: { from: string; to: string },
): Promise<{ children: MeetingsHeldOfChild[]; own: number }> {
  const { rows } = await db.raw<{ rows: { organizationId: number | null; meetings: number }[] }>(
    `SELECT CASE WHEN nlevel(o.path) > nlevel(:path::ltree)
                 THEN ltree2text(subpath(o.path, nlevel(:path::ltree), 1))::int END AS "organizationId",
            count(*)::int AS meetings
       FROM meetings mt JOIN organizations o ON o.id = mt.organization_id
      WHERE mt.status = 'closed' AND mt.held_on BETWEEN :from AND :to AND o.path <@ :path::ltree
      GROUP BY 1`,
    { path: parent.path, from: period.from, to: period.to },
  );
  return {
    children: rows.flatMap((r) =>
      r.organizationId == null ? [] : [{ organizationId: r.organizationId, meetings: r.meetings }],
    ),
    own: rows.find((r) => r.organizationId == null)?.meetings ?? 0,
  };
}

import type { GroupQuery } from './groups';
import { under, withinCte } from './tree-on-date';

// Movement in the period (start, date]: every day on which a member came into a subtree's record or
// left it. A period that starts is an admission when nothing precedes it and an arrival by transfer
// when the member was outside the subtree the day before; a period that ends is an exit (with the
// reason of its exit event) when nothing follows it, a transfer out when its successor lies outside.
// When the tree changed in the period, an organization moved into the subtree brings the members on its
// record across that day in as arrivals by transfer, and one moved out takes them out as transfers:
// they are no admissions or exits of the union, yet the subtree's count changed (the movement identity
// 09 = 09 at the start + 11 + 12 − 13 holds on both sides of the move).
// (the outer alias is r, like the roots of the other groups, so `GROUP BY r.key` fits all)

const exitReason = (p: string) => `LEFT JOIN LATERAL (SELECT e.reason FROM membership_events e
                              WHERE e.member_id = ${p}.member_id AND e.kind = 'left' AND e.happened_on = ${p}.valid_to
                              ORDER BY e.id DESC LIMIT 1) ev ON true`;

/** The whole union's subtree (and the union's blocks) never change: their movement needs no tree history. */
const dated = (q: GroupQuery) => q.frame.tree === 'dated' && !q.frame.blocks && q.scope !== 'union';

export const movementCtes = (q: GroupQuery) => (dated(q) ? withinCte(q.d, q.s) : '');
export const movementFrom = (q: GroupQuery) => (dated(q) ? datedMovement(q) : presentMovement(q));

/** With the present tree: "outside the subtree" is a path outside the root's path. */
const presentMovement = ({ d, s, frame }: GroupQuery) => `FROM (
        SELECT r.key, p.sex, p.birth_date, p.valid_from AS on_date,
               CASE WHEN prev.id IS NULL THEN 'admitted' WHEN NOT (po.path <@ r.root_path) THEN 'transferred_in' END AS kind
          FROM roots r ${under(frame, 'o', d)}
          JOIN member_periods p ON p.organization_id = o.id AND p.valid_from > ${s} AND p.valid_from <= ${d}
          LEFT JOIN member_periods prev ON prev.member_id = p.member_id AND prev.valid_to = p.valid_from
          LEFT JOIN organizations po ON po.id = prev.organization_id
        UNION ALL
        SELECT r.key, p.sex, p.birth_date, p.valid_to,
               CASE WHEN nxt.id IS NULL THEN coalesce(ev.reason, 'other') WHEN NOT (no.path <@ r.root_path) THEN 'transferred_out' END
          FROM roots r ${under(frame, 'o', d)}
          JOIN member_periods p ON p.organization_id = o.id AND p.valid_to > ${s} AND p.valid_to <= ${d}
          LEFT JOIN member_periods nxt ON nxt.member_id = p.member_id AND nxt.valid_from = p.valid_to
          LEFT JOIN organizations no ON no.id = nxt.organization_id
          ${exitReason('p')}
      ) r WHERE kind IS NOT NULL`;

/** Whether organization `org` lay in root `root`'s subtree on `day`: two primary-key probes into the history. */
const inSubtreeOn = (org: string, root: string, day: string) => `EXISTS (SELECT 1 FROM org_tree_history a JOIN org_tree_history b
      ON b.organization_id = ${root} AND b.valid_from <= ${day} AND b.valid_to > ${day} AND a.path <@ b.path
   WHERE a.organization_id = ${org} AND a.valid_from <= ${day} AND a.valid_to > ${day})`;

/**
 * The members on an organization's record across the first day of its span in the subtree (moved in:
 * arrivals) or across the day after its last (moved out: departures), unless the span only continues
 * one that went before or comes after.
 */
function carriedByMove(kind: 'transferred_in' | 'transferred_out', d: string, s: string): string {
  const [day, outside] = kind === 'transferred_in' ? ['w.valid_from', '(w.valid_from - 1)'] : ['w.valid_to', 'w.valid_to'];
  return `SELECT w.key, p.sex, p.birth_date, ${day}, '${kind}'
          FROM within w
          JOIN member_periods p ON p.organization_id = w.id AND p.valid_from < ${day} AND (p.valid_to IS NULL OR p.valid_to > ${day})
         WHERE ${day} > ${s} AND ${day} <= ${d} AND NOT ${inSubtreeOn('w.id', 'w.key', outside)}`;
}

/**
 * With the tree's history: `within` gives the spans in which each organization lay in each subtree, so
 * a period start is judged by the tree of its first day and a period end by the tree of its last day
 * (the neighbouring period's organization by the tree of the day before the start, or of the day after
 * the end). Spans of one organization and root are disjoint.
 */
const datedMovement = ({ d, s }: GroupQuery) => `FROM (
        SELECT w.key, p.sex, p.birth_date, p.valid_from AS on_date,
               CASE WHEN prev.id IS NULL THEN 'admitted' WHEN NOT ${inSubtreeOn('prev.organization_id', 'w.key', '(p.valid_from - 1)')} THEN 'transferred_in' END AS kind
          FROM within w
          JOIN member_periods p ON p.organization_id = w.id AND p.valid_from > ${s} AND p.valid_from <= ${d} AND p.valid_from >= w.valid_from AND p.valid_from < w.valid_to
          LEFT JOIN member_periods prev ON prev.member_id = p.member_id AND prev.valid_to = p.valid_from
        UNION ALL
        SELECT w.key, p.sex, p.birth_date, p.valid_to,
               CASE WHEN nxt.id IS NULL THEN coalesce(ev.reason, 'other') WHEN NOT ${inSubtreeOn('nxt.organization_id', 'w.key', 'p.valid_to')} THEN 'transferred_out' END
          FROM within w
          JOIN member_periods p ON p.organization_id = w.id AND p.valid_to > ${s} AND p.valid_to <= ${d} AND p.valid_to > w.valid_from AND p.valid_to <= w.valid_to
          LEFT JOIN member_periods nxt ON nxt.member_id = p.member_id AND nxt.valid_from = p.valid_to
          ${exitReason('p')}
        UNION ALL ${carriedByMove('transferred_in', d, s)}
        UNION ALL ${carriedByMove('transferred_out', d, s)}
      ) r WHERE kind IS NOT NULL`;

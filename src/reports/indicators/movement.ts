import type { GroupQuery } from './groups';
import { orgsAt, ppoOf, under, type Frame } from './tree-on-date';

// Movement in the period (start, date] as the primary forms count it, each ППО on its own: every day on
// which a member came onto the record of the root's units or left it. A period that starts is an
// admission when nothing precedes it and an arrival by transfer when the member came from another ППО
// (or from outside the root's units); a period that ends is an exit (with the reason of its exit event)
// when nothing follows it, a departure by transfer when its successor lies in another ППО or outside.
// A consolidated report therefore adds up its ППО: a transfer between two ППО of one territory is an
// arrival in one and a departure in the other, as in their own forms (forms.md: section I is summed).
// Units are judged in the tree of the report's date, like the start figure (tree-on-date.ts): a ППО
// moved into a territory brings its members along, and they are no movement at all.
// (the outer alias is r, like the roots of the other groups, so `GROUP BY r.key` fits all)

const exitReason = (p: string) => `LEFT JOIN LATERAL (SELECT e.reason FROM membership_events e
                              WHERE e.member_id = ${p}.member_id AND e.kind = 'left' AND e.happened_on = ${p}.valid_to
                              ORDER BY e.id DESC LIMIT 1) ev ON true`;

/** Whether the neighbouring period's organization (alias n) is another ППО than o's, or outside the root's units. */
function elsewhere(f: Frame, n: string, d: string): string {
  const inUnits = f.whole || f.blocks ? 'true' : `${n}.path <@ r.root_path${f.own ? ` AND ${ppoOf(f, n, d)} = r.root_id` : ''}`;
  return `(${n}.id IS NULL OR NOT (${inUnits}) OR ${ppoOf(f, n, d)} IS DISTINCT FROM ${ppoOf(f, 'o', d)})`;
}

export const movementFrom = ({ d, s, frame }: GroupQuery) => `FROM (
        SELECT r.key, p.sex, p.birth_date, p.valid_from AS on_date,
               CASE WHEN prev.id IS NULL THEN 'admitted' WHEN ${elsewhere(frame, 'po', d)} THEN 'transferred_in' END AS kind
          FROM roots r ${under(frame, 'o', d)}
          JOIN member_periods p ON p.organization_id = o.id AND p.valid_from > ${s} AND p.valid_from <= ${d}
          LEFT JOIN member_periods prev ON prev.member_id = p.member_id AND prev.valid_to = p.valid_from
          LEFT JOIN ${orgsAt(frame, d)} po ON po.id = prev.organization_id
        UNION ALL
        SELECT r.key, p.sex, p.birth_date, p.valid_to,
               CASE WHEN nxt.id IS NULL THEN coalesce(ev.reason, 'other') WHEN ${elsewhere(frame, 'no', d)} THEN 'transferred_out' END
          FROM roots r ${under(frame, 'o', d)}
          JOIN member_periods p ON p.organization_id = o.id AND p.valid_to > ${s} AND p.valid_to <= ${d}
          LEFT JOIN member_periods nxt ON nxt.member_id = p.member_id AND nxt.valid_from = p.valid_to
          LEFT JOIN ${orgsAt(frame, d)} no ON no.id = nxt.organization_id
          ${exitReason('p')}
      ) r WHERE kind IS NOT NULL`;

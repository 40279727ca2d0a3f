import type { GroupQuery } from './groups';
import { periodsCountedIn, under } from './tree-on-date';

// Movement in the period (start, date] as the primary forms count it, each ППО on its own: every day on
// which a member came onto the record of one of the root's ППО or left it. A period that starts is an
// admission when nothing precedes it and an arrival by transfer when the member came from another ППО; a
// period that ends is an exit (with the reason of its exit event) when nothing follows it, a departure by
// transfer when its successor lies in another ППО. A consolidated report therefore adds up its ППО: a
// transfer between two ППО of one territory is an arrival in one and a departure in the other, as in
// their own forms (forms.md: section I is summed).
// A period is judged by the ППО it was on (member_periods.ppo_id: a unit passed to another ППО by a merge
// or a move cuts its members' periods there), and the ППО by its place in the tree of the report's date,
// like the start figure (tree-on-date.ts): a ППО moved into a territory brings its members along, and they
// are no movement at all.
// (the outer alias is r, like the roots of the other groups, so `GROUP BY r.key` fits all)

const exitReason = (p: string) => `LEFT JOIN LATERAL (SELECT e.reason FROM membership_events e
                              WHERE e.member_id = ${p}.member_id AND e.kind = 'left' AND e.happened_on = ${p}.valid_to
                              ORDER BY e.id DESC LIMIT 1) ev ON true`;

export const movementFrom = ({ d, s, frame }: GroupQuery) => `FROM (
        SELECT r.key, p.sex, p.birth_date, p.valid_from AS on_date,
               CASE WHEN prev.id IS NULL THEN 'admitted' WHEN prev.ppo_id <> p.ppo_id THEN 'transferred_in' END AS kind
          FROM roots r ${under(frame, 'o', d)}
          JOIN member_periods p ON p.${periodsCountedIn(frame)} = o.id AND p.valid_from > ${s} AND p.valid_from <= ${d}
          LEFT JOIN member_periods prev ON prev.member_id = p.member_id AND prev.valid_to = p.valid_from
        UNION ALL
        SELECT r.key, p.sex, p.birth_date, p.valid_to,
               CASE WHEN nxt.id IS NULL THEN coalesce(ev.reason, 'other') WHEN nxt.ppo_id <> p.ppo_id THEN 'transferred_out' END
          FROM roots r ${under(frame, 'o', d)}
          JOIN member_periods p ON p.${periodsCountedIn(frame)} = o.id AND p.valid_to > ${s} AND p.valid_to <= ${d}
          LEFT JOIN member_periods nxt ON nxt.member_id = p.member_id AND nxt.valid_from = p.valid_to
          ${exitReason('p')}
      ) r WHERE kind IS NOT NULL`;

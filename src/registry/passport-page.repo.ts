import type { Knex } from 'knex';
import { MEMBERS_ON_RECORD_OF_ROW } from '../membership/member-counts.repo';
import { GAPS_SQL_INCOMPLETE } from './completeness';
import { lineageByInpo } from './orgs.repo';
import type { OrgRow } from './org-row';
import { headerFiguresFromRow, type HeaderFigures, type HeaderFiguresRow } from './passport.repo';

// Pages at 32 clients (issue 15): the passport page sent its organization's lineage (the loader) and its
// header's figures as two statements, each a round trip. Here both are one named statement keyed by the ИНПО
// alone. The figures are read on the organization's own row through a LATERAL, so its path and level are
// columns of that row, not parameters: with a parameter for the path, the generic plan of a prepared header
// could not know the subtree's size (helper 5 saw it scan org_officers: 125 ms instead of 0.4 ms); from a
// column, every subtree read is an index probe of a parameterized nested loop, whatever the level. The figures
// are those of headerFiguresOf (passport.repo), which the tests compare them with at every level.

/**
 * The header's columns, on the row of the organization the ИНПО names (null on its ancestors' rows), each
 * part read only at its levels (one-time filters on the row's level). The open organizations below it and
 * those with an incomplete passport: for the union and a region their counters (passport_gap_counts, kept per
 * region, the region's own row included: taken off here); below a region the GiST range of its path, each
 * organization's gaps probed by its key (OFFSET 0 keeps the probe a nested loop: joined, the generic plan
 * hashed all 150,000 rows of org_passport_flags for a ППО's one child, 808 buffers instead of 15).
 */
const HEADER_LATERAL = `
  LEFT JOIN LATERAL (
    SELECT g.id IS NOT NULL AS has_gaps, g.no_chair, g.no_chair_term, g.chair_term_expired, g.no_email,
           g.no_headcount, ${MEMBERS_ON_RECORD_OF_ROW} AS active_members,
           CASE WHEN o.level IN ('union', 'regional') THEN k.total - (g.id IS NOT NULL)::int ELSE b.total END AS total,
           CASE WHEN o.level IN ('union', 'regional')
                THEN k.incomplete - coalesce(${GAPS_SQL_INCOMPLETE}, false)::int ELSE b.incomplete END AS incomplete
      FROM (SELECT count(*) AS total, count(*) FILTER (WHERE ${GAPS_SQL_INCOMPLETE}) AS incomplete
              FROM organizations s
              JOIN LATERAL (SELECT * FROM org_passport_flags f WHERE f.id = s.id OFFSET 0) g ON true
             WHERE o.level NOT IN ('union', 'regional') AND s.path <@ o.path AND s.path <> o.path) b
     CROSS JOIN (SELECT coalesce(sum(open_orgs), 0) AS total, coalesce(sum(incomplete), 0) AS incomplete
                   FROM passport_gap_counts
                  WHERE o.level = 'union' OR (o.level = 'regional' AND region_id = o.id)) k
      LEFT JOIN org_passport_gaps g ON g.id = o.id
     WHERE o.inpo = ?
  ) h ON true`;

export interface PassportPage {
  /** The organization's ancestors, root first, and the organization last. */
  lineage: OrgRow[];
  figures: HeaderFigures;
}

/** The organization of an ИНПО with its ancestors and its passport header's figures (undefined when there is none). */
export async function findPassportPageByInpo(db: Knex, inpo: string): Promise<PassportPage | undefined> {
  const rows: (OrgRow & { header: HeaderFiguresRow | null })[] = await lineageByInpo(db, inpo)
    .select(db.raw('to_jsonb(h) AS header'))
    .joinRaw(HEADER_LATERAL, [inpo]);
  const header = rows.at(-1)?.header;
  if (!header) return undefined;
  const lineage = rows.map(({ header: _figures, ...org }) => org);
  return { lineage, figures: headerFiguresFromRow(header) };
}

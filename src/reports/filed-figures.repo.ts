import type { Knex } from 'knex';

/** The statistical forms whose line numbers the figures below read (every one has lines 02, 06–09). */
const STAT_FORMS = ['1-SP', '2-SP', '3-SP', '4-SP', '5-SP'];
/** The lines of the figures: members total and by category; ППО and territorial organizations (consolidated forms). */
const FIGURE_LINES = {
  membersTotal: '09',
  working: '02',
  student: '06',
  pensioner: '07',
  unemployed: '08',
  primaryOrgs: '40',
  territorialOrgs: '55',
} as const;

export interface FiledFigures {
  organizationId: number;
  onDate: string;
  formCode: string;
  membersTotal: number | null;
  working: number | null;
  student: number | null;
  pensioner: number | null;
  unemployed: number | null;
  primaryOrgs: number | null;
  territorialOrgs: number | null;
}

/**
 * The figures of each organization's latest filed statistical report on or before the date (its latest
 * version; a consolidated form before a primary one of the same date), read from the frozen JSON by line
 * number: one indexed probe per organization, the JSON never leaves the database whole.
 */
export async function latestFiledFigures(db: Knex, organizationIds: number[], on: string): Promise<FiledFigures[]> {
  if (!organizationIds.length) return [];
  // the JSON paths are bindings: a `?` of a filter in the query text would be read as a placeholder
  const paths = Object.fromEntries(
    Object.entries(FIGURE_LINES).map(([name, no]) => [
      `path_${name}`,
      `$.sections[*].lines[*] ? (@.no == "${no}").values.total`,
    ]),
  );
  const line = (name: string) =>
    `(jsonb_path_query_first(v.result, :path_${name}::jsonpath) #>> '{}')::int AS "${name}"`;
  const { rows } = await db.raw(
    `SELECT DISTINCT ON (r.organization_id)
            r.organization_id AS "organizationId", r.report_date AS "onDate", r.form_code AS "formCode",
            ${Object.keys(FIGURE_LINES).map(line).join(', ')}
       FROM reports r
       CROSS JOIN LATERAL (
         SELECT result FROM report_versions v WHERE v.report_id = r.id ORDER BY v.number DESC LIMIT 1) v
      WHERE r.organization_id = ANY(:ids::int[]) AND r.report_date <= :on::date
        AND r.status IN ('submitted', 'accepted') AND r.form_code = ANY(:forms::text[])
      ORDER BY r.organization_id, r.report_date DESC, r.form_code IN ('1-SP', '2-SP') DESC`,
    { ids: organizationIds, on, forms: STAT_FORMS, ...paths },
  );
  return rows;
}

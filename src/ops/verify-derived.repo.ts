import type { Knex } from 'knex';
import { memberStateAttributes } from '../reports/indicators/member-state-cache';
import { periodOn, sqlDate, sqlDateColumn } from '../reports/indicators/sql-fragments';
import { blockRows } from '../reports/indicators/union-stats';
import { GAPS_SQL_INCOMPLETE } from '../registry/completeness';

// Every copy the database keeps of something it also knows another way (docs/derived-data.md), counted
// again from its sources and compared, table by table: after a restore, a bulk load that set triggers
// aside, or a suspicion. Each comparison is one set-based query (a join or a FULL JOIN of two grouped
// sets), so its cost follows one pass over the source tables, not a query per row. Nothing is written:
// each check reads one snapshot (REPEATABLE READ, READ ONLY), so a change committing meanwhile cannot
// show as a difference. The samples name rows by ids and keys only, never by personal data.

/** How many differing rows a check found, and the first few of them. */
export interface Differences {
  count: number;
  sample: Record<string, unknown>[];
}

export interface DerivedCheck {
  /** the derived table or column, as docs/derived-data.md names it */
  name: string;
  differences: (trx: Knex.Transaction) => Promise<Differences>;
}

export interface CheckResult extends Differences {
  name: string;
  ms: number;
}

const SAMPLE = 5;

/** Counts the rows of `diffSql` (each one difference) and keeps the first few. */
async function countRows(trx: Knex, diffSql: string, bindings: readonly Knex.RawBinding[] = []): Promise<Differences> {
  const { rows } = await trx.raw(
    `WITH diff AS MATERIALIZED (${diffSql})
     SELECT (SELECT count(*) FROM diff) AS count, (SELECT coalesce(json_agg(d), '[]') FROM (SELECT * FROM diff LIMIT ${SAMPLE}) d) AS sample`,
    bindings,
  );
  return { count: Number(rows[0].count), sample: rows[0].sample };
}

interface Keyed {
  key: string[];
  values: string[];
  stored: string;
  recomputed: string;
  /** what a missing row stands for: no one (0) for counters, nothing (null) for rows left out when they add nothing */
  absent: '0' | 'null';
  /** a table without a unique key may repeat one: its readers add the rows up, and so does the comparison */
  repeats?: boolean;
}

/** The keys whose values differ between a derived table and the same rows computed again (a FULL JOIN on the key). */
function keyedDifferences(o: Keyed): string {
  const value = (side: string, v: string) => (o.absent === '0' ? `coalesce(${side}.${v}, 0)` : `${side}.${v}`);
  const row = (side: string) => `(${o.values.map((v) => value(side, v)).join(', ')})`;
  const stored = o.repeats
    ? `SELECT ${o.key.join(', ')}, ${o.values.map((v) => `sum(${v}) AS ${v}`).join(', ')} FROM (${o.stored}) x GROUP BY ${o.key.join(', ')}`
    : o.stored;
  return `SELECT ${o.key.map((k) => `coalesce(s.${k}, r.${k}) AS ${k}`).join(', ')},
                 ${o.values.map((v) => `s.${v} AS stored_${v}, r.${v} AS recomputed_${v}`).join(', ')}
            FROM (${stored}) s FULL JOIN (${o.recomputed}) r ON ${o.key.map((k) => `s.${k} = r.${k}`).join(' AND ')}
           WHERE ${row('s')} IS DISTINCT FROM ${row('r')}`;
}

const sqlChecks: [string, string][] = [
  // the path is the parent's path and the organization's id
  [
    'organizations.path',
    `
    SELECT o.id AS organization_id, o.path::text AS stored, (CASE WHEN o.parent_id IS NULL THEN o.id::text::ltree ELSE p.path || o.id::text END)::text AS recomputed
      FROM organizations o LEFT JOIN organizations p ON p.id = o.parent_id
     WHERE o.path IS DISTINCT FROM CASE WHEN o.parent_id IS NULL THEN o.id::text::ltree ELSE p.path || o.id::text END`,
  ],
  [
    'members.region_id',
    `
    SELECT m.id AS member_id, m.region_id AS stored, region_of_path(o.path) AS recomputed
      FROM members m JOIN organizations o ON o.id = m.organization_id
     WHERE m.region_id IS DISTINCT FROM region_of_path(o.path)`,
  ],
  // the card's present state is its open period's (the membership guard checks the touched cards at commit)
  [
    'members (state on record)',
    `
    SELECT m.id AS member_id, m.organization_id, m.category, m.left_on IS NULL AND m.merged_into_id IS NULL AS on_record,
           p.organization_id AS period_organization_id, p.category AS period_category
      FROM members m LEFT JOIN member_periods p ON p.member_id = m.id AND p.valid_to IS NULL
     WHERE CASE WHEN m.left_on IS NULL AND m.merged_into_id IS NULL
                THEN p.id IS NULL OR p.organization_id <> m.organization_id OR p.category <> m.category
                ELSE p.id IS NOT NULL END`,
  ],
  [
    'member_periods (sex, birth_date)',
    `
    SELECT p.id AS period_id, p.member_id FROM member_periods p JOIN members m ON m.id = p.member_id
     WHERE (p.sex, p.birth_date) IS DISTINCT FROM (m.sex, m.birth_date)`,
  ],
  // the ППО a period is on: of its unit on the period's first day (periods are cut where a unit passes to another ППО)
  [
    'member_periods (ppo_id)',
    `
    SELECT p.id AS period_id, p.member_id FROM member_periods p
     WHERE p.ppo_id IS DISTINCT FROM unit_ppo_on(p.organization_id, p.valid_from)`,
  ],
  // counted from the cards, with the region read off the organization's path (not the card's own copy)
  [
    'member_counts',
    keyedDifferences({
      key: ['region_id', 'organization_id', 'on_record', 'category', 'sex', 'is_pedagogical'],
      values: ['n'],
      absent: '0',
      stored: 'SELECT region_id, organization_id, on_record, category, sex, is_pedagogical, n FROM member_counts',
      recomputed: `SELECT region_of_path(o.path) AS region_id, m.organization_id, m.left_on IS NULL AS on_record, m.category, m.sex, m.is_pedagogical, count(*) AS n
                   FROM members m JOIN organizations o ON o.id = m.organization_id WHERE m.merged_into_id IS NULL GROUP BY 1, 2, 3, 4, 5, 6`,
    }),
  ],
  // the open organizations and those with an incomplete passport per region, counted from the view
  [
    'passport_gap_counts',
    keyedDifferences({
      key: ['region_id'],
      values: ['open_orgs', 'incomplete'],
      absent: '0',
      stored: 'SELECT region_id, open_orgs, incomplete FROM passport_gap_counts',
      recomputed: `SELECT region_of_path(g.path) AS region_id, count(*) AS open_orgs, count(*) FILTER (WHERE ${GAPS_SQL_INCOMPLETE}) AS incomplete
                   FROM org_passport_gaps g GROUP BY 1`,
    }),
  ],
  // the union's counters per region: each change adds its own rows (folded hourly), summed by the readers
  [
    'region_member_counts',
    keyedDifferences({
      key: ['region_id', 'on_record', 'category', 'sex', 'is_pedagogical'],
      values: ['n'],
      absent: '0',
      repeats: true,
      stored: 'SELECT region_id, on_record, category, sex, is_pedagogical, n FROM region_member_counts',
      recomputed: `SELECT region_of_path(o.path) AS region_id, m.left_on IS NULL AS on_record, m.category, m.sex, m.is_pedagogical, count(*) AS n
                   FROM members m JOIN organizations o ON o.id = m.organization_id WHERE m.merged_into_id IS NULL GROUP BY 1, 2, 3, 4, 5`,
    }),
  ],
  // member_counts per region under the kind of every ППО on each organization's path, counted from the cards
  [
    'region_kind_member_counts',
    keyedDifferences({
      key: ['region_id', 'employer_kind', 'on_record', 'category', 'sex', 'is_pedagogical'],
      values: ['n'],
      absent: '0',
      repeats: true,
      stored:
        'SELECT region_id, employer_kind, on_record, category, sex, is_pedagogical, n FROM region_kind_member_counts',
      recomputed: `WITH kinds AS (SELECT DISTINCT o.id, region_of_path(o.path) AS region_id, p.employer_kind
                                    FROM organizations o JOIN organizations p ON p.path @> o.path AND p.level = 'primary' AND p.employer_kind IS NOT NULL)
                   SELECT k.region_id, k.employer_kind, m.left_on IS NULL AS on_record, m.category, m.sex, m.is_pedagogical, count(*) AS n
                     FROM members m JOIN kinds k ON k.id = m.organization_id WHERE m.merged_into_id IS NULL GROUP BY 1, 2, 3, 4, 5, 6`,
    }),
  ],
  // the members holding a union card of a status and kind (and of the status, any kind) per region, counted from the cards
  [
    'region_card_counts',
    keyedDifferences({
      key: ['region_id', 'on_record', 'status', 'kind'],
      values: ['n'],
      absent: '0',
      repeats: true,
      stored: 'SELECT region_id, on_record, status, kind, n FROM region_card_counts',
      recomputed: `SELECT region_of_path(o.path) AS region_id, m.left_on IS NULL AS on_record, c.status, k.kind, count(DISTINCT m.id) AS n
                   FROM union_cards c CROSS JOIN LATERAL (VALUES (c.kind), ('any')) k (kind)
                   JOIN members m ON m.id = c.member_id AND m.merged_into_id IS NULL JOIN organizations o ON o.id = m.organization_id
                  GROUP BY 1, 2, 3, 4`,
    }),
  ],
  // the members holding an active consent of a kind per region, counted from the consents
  [
    'region_consent_counts',
    keyedDifferences({
      key: ['region_id', 'on_record', 'kind'],
      values: ['n'],
      absent: '0',
      repeats: true,
      stored: 'SELECT region_id, on_record, kind, n FROM region_consent_counts',
      recomputed: `SELECT region_of_path(o.path) AS region_id, m.left_on IS NULL AS on_record, c.kind, count(DISTINCT m.id) AS n
                   FROM member_consents c JOIN members m ON m.id = c.member_id AND m.merged_into_id IS NULL
                   JOIN organizations o ON o.id = m.organization_id
                  WHERE c.withdrawn_on IS NULL GROUP BY 1, 2, 3`,
    }),
  ],
  // the latest headcount of every organization of a region (the region itself and everything below it), summed
  [
    'region_headcounts',
    keyedDifferences({
      key: ['region_id'],
      values: ['employees'],
      absent: 'null',
      stored: 'SELECT region_id, employees FROM region_headcounts',
      recomputed: `SELECT region_of_path(o.path) AS region_id, sum(latest.employees_total) AS employees
                   FROM (SELECT DISTINCT ON (organization_id) organization_id, employees_total FROM org_headcounts
                          ORDER BY organization_id, as_of DESC) latest
                   JOIN organizations o ON o.id = latest.organization_id AND nlevel(o.path) > 1 GROUP BY 1`,
    }),
  ],
  // every organization's present position is its path, and its positions follow each other from -infinity without gaps or overlaps
  [
    'org_tree_history',
    `
    SELECT o.id AS organization_id, 'the open position is not the present path' AS problem
      FROM organizations o LEFT JOIN org_tree_history h ON h.organization_id = o.id AND h.valid_to = 'infinity'
     WHERE h.path IS DISTINCT FROM o.path
    UNION ALL
    SELECT organization_id, CASE WHEN previous_to IS NULL THEN 'the first position does not start at -infinity' ELSE 'a gap or an overlap between positions' END
      FROM (SELECT organization_id, valid_from, lag(valid_to) OVER (PARTITION BY organization_id ORDER BY valid_from) AS previous_to FROM org_tree_history) h
     WHERE valid_from IS DISTINCT FROM coalesce(previous_to, '-infinity')`,
  ],
  // the tab's record is the latest dated version (the passport service writes both; a record inserted alone gets its version by trigger)
  [
    'collective_agreements',
    keyedDifferences({
      key: ['organization_id'],
      values: [
        'status',
        'none_reason',
        'signed_on',
        'valid_from',
        'valid_to',
        'registration_number',
        'registration_date',
      ],
      absent: 'null',
      stored: `SELECT organization_id, status, none_reason, signed_on, valid_from, valid_to, registration_number, registration_date FROM collective_agreements`,
      recomputed: `SELECT DISTINCT ON (organization_id) organization_id, status, none_reason, signed_on, valid_from, valid_to, registration_number, registration_date
                   FROM collective_agreement_history ORDER BY organization_id, as_of DESC`,
    }),
  ],
  // the organizations marked up to date for a date hold exactly the members on record counted from the periods
  [
    'member_state_cache',
    keyedDifferences({
      key: ['as_of', 'organization_id', 'ppo_id', 'category', 'is_pedagogical', 'on_parental_leave', 'sex', 'youth'],
      values: ['n'],
      absent: '0',
      repeats: true,
      stored: `SELECT c.as_of, c.organization_id, c.ppo_id, c.category, c.is_pedagogical, c.on_parental_leave, c.sex, c.youth, c.n
               FROM member_state_cache c JOIN member_state_cached_orgs x ON x.as_of = c.as_of AND x.organization_id = c.organization_id`,
      recomputed: `SELECT x.as_of, c.organization_id, c.ppo_id, ${memberStateAttributes('x.as_of')} AS youth, count(*) AS n
                   FROM member_state_cached_orgs x JOIN member_periods c ON c.organization_id = x.organization_id AND ${periodOn('c', sqlDateColumn('x.as_of'))}
                  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`,
    }),
  ],
  // a current officer's end of term is the election date plus the years of the level's rule for the post (none
  // without a rule or a date); an ended term keeps the end computed while it ran, so only current ones are compared.
  // The rule is joined, not asked of officer_term_until() per row: one pass, and the function itself is checked too
  [
    'org_officers.term_until',
    `
    SELECT f.id AS officer_id, f.organization_id, f.post, f.term_until AS stored,
           (f.elected_on + make_interval(years => r.years))::date AS recomputed
      FROM org_officers f JOIN organizations o ON o.id = f.organization_id
      LEFT JOIN term_rules r ON r.level = o.level AND r.post = f.post
     WHERE f.ended_on IS NULL AND f.term_until IS DISTINCT FROM (f.elected_on + make_interval(years => r.years))::date`,
  ],
];

/** The union's blocks marked up to date for a (date, start) hold what their indicators compute to now. */
async function unionStatsDifferences(trx: Knex.Transaction): Promise<Differences> {
  const union = await trx('organizations').whereNull('parent_id').first('id');
  const kept: { as_of: string; since: string; blocks: number[] }[] = (
    await trx.raw(
      'SELECT as_of, since, array_agg(block ORDER BY block) AS blocks FROM union_stats_fresh GROUP BY 1, 2 ORDER BY 1, 2',
    )
  ).rows;
  const found: Differences = { count: 0, sample: [] };
  if (!union) return found;
  for (const { as_of: date, since: start, blocks } of kept) {
    // counted from the periods over the blocks' own organizations: nothing read from the member state cache, which is checked on its own
    const rows = await blockRows(trx, trx, union.id, blocks, date, start, 'subtree');
    const [d, s] = [sqlDate(date), sqlDate(start)];
    const diff = await countRows(
      trx,
      keyedDifferences({
        key: ['as_of', 'since', 'block', 'indicator'],
        values: ['total', 'women', 'youth', 'contributors'],
        absent: 'null',
        repeats: true,
        stored: `SELECT as_of, since, block, indicator, total, women, youth, contributors FROM union_stats WHERE as_of = ${d} AND since = ${s} AND block = ANY(?::int[])`,
        recomputed: `SELECT ${d} AS as_of, ${s} AS since, x.* FROM jsonb_to_recordset(?::jsonb) AS x (block int, indicator text, total bigint, women bigint, youth bigint, contributors bigint)`,
      }),
      [blocks, JSON.stringify(rows)],
    );
    found.count += diff.count;
    found.sample.push(...diff.sample.slice(0, SAMPLE - found.sample.length));
  }
  return found;
}

export const DERIVED_CHECKS: DerivedCheck[] = [
  ...sqlChecks.map(([name, sql]) => ({ name, differences: (trx: Knex.Transaction) => countRows(trx, sql) })),
  { name: 'union_stats', differences: unionStatsDifferences },
];

/** The recomputations group millions of rows (as the statistics' builders do): memory for their sorts and hashes. */
export async function allowLargeSorts(trx: Knex.Transaction): Promise<void> {
  await trx.raw("SET LOCAL work_mem = '256MB'");
}

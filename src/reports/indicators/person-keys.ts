import type { Knex } from 'knex';
import type { CompiledForm } from '../forms/compile';
import type { ColumnKey } from '../forms/form-schema';
import { INDICATORS } from './catalog';
import type { ColumnValues } from './engine';
import { GROUPS, personKey } from './groups';
import { sqlDate } from './sql-fragments';
import { rootsOn, type RootOnDate } from './tree-on-date';

// Distinct-person lines (31: activists, 32: trained) cannot be added up: one person with posts in two ППО
// is one activist of the territory. A filed version therefore keeps who its distinct-person lines count —
// as keys that name nobody ('m' + card id, 'p' + non-member person id) — and a consolidation from filed
// reports counts the union of its children's keys.

export type PersonKeys = Record<ColumnKey, string[]>;
const COLUMNS: ColumnKey[] = ['total', 'women', 'youth'];

/** The lines of a form that count distinct persons, with their indicator. */
export function distinctPersonLines(form: CompiledForm): Map<string, string> {
  const out = new Map<string, string>();
  for (const [no, c] of form.lines) {
    const formula = c.line.type === 'count' ? c.line.formula?.trim() : undefined;
    if (formula && INDICATORS[formula]?.distinct && INDICATORS[formula].group === 'officers') out.set(no, formula);
  }
  return out;
}

/** The persons each distinct-person line of the form counts for the organization's subtree, by column. */
export async function personKeysOf(
  db: Knex,
  form: CompiledForm,
  root: RootOnDate,
  start: string,
): Promise<Record<string, PersonKeys>> {
  const lines = distinctPersonLines(form);
  if (!lines.size) return {};
  const { frame } = root;
  const q = { d: sqlDate(root.date), s: sqlDate(start), names: [...lines.values()], scope: 'subtree' as const, frame };
  const group = GROUPS.officers;
  const bind = (sql: string) => sql.replaceAll(':date', q.d).replaceAll(':start', q.s);
  const youth = `${group.birth} > (${group.ageOn(q.d)} - interval '35 years')`;
  const extra: Record<ColumnKey, string> = { total: '', women: ` AND ${group.sex} = 'f'`, youth: ` AND ${youth}` };
  const aggs = [...lines].flatMap(([no, name]) =>
    COLUMNS.map(
      (col) =>
        `coalesce(array_agg(DISTINCT ${personKey('f')}) FILTER (WHERE (${bind(INDICATORS[name]!.where)})${extra[col]}), '{}') AS "${no}:${col}"`,
    ),
  );
  const { rows } = await db.raw(`${rootsOn(frame, q.d)} SELECT ${aggs.join(', ')} ${group.from(q)}`, [[root.id]]);
  const row = (rows[0] ?? {}) as Record<string, string[]>;
  return Object.fromEntries(
    [...lines.keys()].map((no) => [
      no,
      Object.fromEntries(COLUMNS.map((col) => [col, (row[`${no}:${col}`] ?? []).sort()])) as PersonKeys,
    ]),
  );
}

type Kept = { personKeys?: Record<string, PersonKeys> };

/**
 * The distinct-person lines of a consolidation from the children's filed reports: the number of different
 * persons they kept. A report filed before reports kept persons has none: then the line is left to the
 * sum of the figures, and those children are named (a person with posts in several may count twice).
 */
export function distinctOverFiled<O>(
  form: CompiledForm,
  filed: { org: O; result: Kept }[],
): { lines: Map<string, ColumnValues>; unkept: O[] } {
  const nos = [...distinctPersonLines(form).keys()];
  const unkept = filed.filter((f) => nos.some((no) => !f.result.personKeys?.[no])).map((f) => f.org);
  const lines = new Map<string, ColumnValues>();
  if (!unkept.length) {
    for (const no of nos) {
      lines.set(
        no,
        Object.fromEntries(
          COLUMNS.map((col) => [col, new Set(filed.flatMap((f) => f.result.personKeys![no]![col])).size]),
        ) as ColumnValues,
      );
    }
  }
  return { lines, unkept: nos.length ? unkept : [] };
}

import type { Knex } from 'knex';
import { compiledForm, type CompiledForm } from './forms/compile';
import { evaluateForm, type LineOverride } from './forms/evaluate';
import { isPrimaryForm, listActiveForms, type FormVersion } from './forms/forms.repo';
import { absentWhenNone } from './indicators/aggregates';
import { INDICATORS } from './indicators/catalog';
import { computeIndicators, type ColumnValues, type IndicatorValues } from './indicators/engine';
import type { RootOnDate } from './indicators/tree-on-date';
import { DEFAULT_FORM, ppoOnForms } from './own-forms.repo';

// Section I of a consolidated form is the sum of the primary forms of its ППО, each on its own form:
// a line a ППО's form lacks gets nothing from it (a 3-СП ППО has no line 02, 07 or 08), and
// its own lines count (3-СП 09 is all its members). Most subtrees hold only ППО of 5-СП and 4-СП, whose
// lines are the same: the consolidated computation is already their sum and nothing more is asked. The
// ППО on a form of other lines are computed one by one (a handful, their own units only), evaluated on
// their form, and taken out of the rest, which is evaluated on the default form.

const COLUMNS = ['total', 'women', 'youth'] as const;

/** The lines a form computes and how: two forms of one shape give every ППО the same lines. */
const shapeOf = (f: FormVersion) =>
  JSON.stringify(
    [...compiledForm(f.definition).lines.values()].map((c) => [c.line.no, c.line.type, c.line.formula ?? null]),
  );

/** Lines of the consolidated form that stay live: distinct persons are counted over the whole subtree, not added up. */
function distinctLine(form: CompiledForm, no: string): boolean {
  const expr = form.lines.get(no)?.expr;
  return expr?.k === 'ind' && !!INDICATORS[expr.name]?.distinct;
}

const add = (a: number | null | undefined, b: number | null | undefined) =>
  a == null && b == null ? null : (a ?? 0) + (b ?? 0);
const minus = (a: number | null | undefined, b: number | null | undefined) => (a == null ? null : a - (b ?? 0));

export interface PrimaryForms {
  primaries: FormVersion[];
  base: FormVersion;
  others: FormVersion[];
}

/**
 * The active primary forms, read once for a report or a batch of them: the default one and those of other
 * lines; undefined when every primary form has the default's lines (nothing to override).
 */
export async function activePrimaryForms(db: Knex): Promise<PrimaryForms | undefined> {
  const primaries = (await listActiveForms(db)).filter((f) => isPrimaryForm(f.code));
  const base = primaries.find((f) => f.code === DEFAULT_FORM);
  if (!base) return undefined;
  const others = primaries.filter((f) => shapeOf(f) !== shapeOf(base));
  return others.length ? { primaries, base, others } : undefined;
}

/**
 * The override of section I for a live consolidated report whose subtree holds ППО of a form with other
 * lines than the default one; undefined when every ППО's form has the default's lines.
 */
export async function ownFormsOverride(
  db: Knex,
  forms: PrimaryForms | undefined,
  form: CompiledForm,
  root: RootOnDate,
  periodStart: string,
  values: IndicatorValues,
): Promise<LineOverride | undefined> {
  if (!forms) return undefined;
  const { primaries, base, others } = forms;
  const ppo = await ppoOnForms(
    db,
    root,
    others.map((f) => f.code),
  );
  if (!ppo.length) return undefined;
  const baseForm = compiledForm(base.definition);
  const names = new Set([...baseForm.indicators, ...others.flatMap((f) => [...compiledForm(f.definition).indicators])]);
  const own = await computeIndicators(db, {
    rootIds: ppo.map((p) => p.id),
    date: root.date,
    periodStart,
    names,
    own: true,
  });

  const sums = new Map<string, ColumnValues>();
  const addLines = (lines: { no: string; type: string; values: ColumnValues }[]) => {
    for (const line of lines) {
      if (line.type !== 'count' || distinctLine(form, line.no)) continue;
      const acc = sums.get(line.no) ?? { total: null, women: null, youth: null };
      for (const c of COLUMNS) acc[c] = add(acc[c], line.values[c]);
      sums.set(line.no, acc);
    }
  };
  // the other ППО on their own forms; the rest of the subtree (all minus them) on the default form
  const rest: IndicatorValues = {};
  for (const name of baseForm.indicators) rest[name] = { ...values[name]! };
  for (const p of ppo) {
    const v = own.get(p.id)!;
    const theirs = compiledForm(others.find((f) => f.code === p.form)!.definition);
    addLines(evaluateForm(theirs, v, {}).sections.flatMap((s) => s.lines));
    for (const name of baseForm.indicators) {
      const r = rest[name]!;
      for (const c of COLUMNS) r[c] = minus(r[c], v[name]?.[c]);
      if (r.contributors != null) r.contributors -= v[name]?.contributors ?? 0;
    }
  }
  // a headcount nobody else entered stays absent: the subtraction would leave 0 where the rest has no figure
  for (const name of baseForm.indicators) {
    if (absentWhenNone(INDICATORS[name]!) && rest[name]!.contributors === 0)
      rest[name] = { total: null, women: null, youth: null, contributors: 0 };
  }
  addLines(evaluateForm(baseForm, rest, {}).sections.flatMap((s) => s.lines));
  const formLines = new Set(primaries.flatMap((f) => [...compiledForm(f.definition).lines.keys()]));
  return (no) =>
    formLines.has(no) && !distinctLine(form, no) ? (sums.get(no) ?? { total: 0, women: 0, youth: 0 }) : undefined;
}

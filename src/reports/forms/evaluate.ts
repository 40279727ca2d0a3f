import type { ColumnValues, IndicatorValues } from '../indicators/engine';
import type { CompiledForm, CompiledLine } from './compile';
import { COLUMN_KEYS, type ColumnKey, type LinesForm } from './form-schema';
import { compare, evaluate, type Expr, type Scope } from './formula';

// Turns indicator values into the lines of a form and checks its controls. Pure: the numbers come
// in, the report comes out. Percentages are computed from the (summed) numerators and denominators
// of this very report, never averaged.

export interface LineResult {
  no: string;
  label: string;
  type: 'count' | 'percent' | 'flag' | 'text';
  columns: ColumnKey[];
  values: ColumnValues;
  text?: string;
}

export interface ControlFailure {
  id: string;
  message: string;
  severity: 'error' | 'warning';
  rule: string;
  failures: { column: ColumnKey; left: number; right: number }[];
  /** the indicator whose cards are behind the failure */
  cardsIndicator?: string;
}

/** A control that could not be checked: a value it compares is absent (a headcount nobody entered). */
export interface UncheckedControl {
  id: string;
  message: string;
  rule: string;
}

export interface Evaluation {
  sections: { title: string; lines: LineResult[] }[];
  failures: ControlFailure[];
  unchecked: UncheckedControl[];
}

/** Summed values of the children's filed reports, line by line (consolidation "from filed"). */
export type LineOverride = (no: string) => ColumnValues | undefined;

const round1 = (v: number) => Math.round(v * 10) / 10;

export function evaluateForm(
  form: CompiledForm,
  values: IndicatorValues,
  texts: Record<string, string>,
  override?: LineOverride,
): Evaluation {
  const def = form.def as LinesForm;
  const formColumns = def.columns.map((c) => c.key);
  const memo = new Map<string, ColumnValues>();

  const columnsOf = (c: CompiledLine): ColumnKey[] => c.line.columns ?? formColumns;
  const scopeFor = (column: ColumnKey): Scope => ({
    indicator: (name) => values[name]?.[column] ?? null,
    line: (no) => lineValues(no)[column],
    range: (from, to) =>
      form.order.slice(form.order.indexOf(from), form.order.indexOf(to) + 1).map((no) => lineValues(no)[column]),
  });
  const lineValues = (no: string): ColumnValues => {
    const hit = memo.get(no);
    if (hit) return hit;
    const c = form.lines.get(no)!;
    const result: ColumnValues = { total: null, women: null, youth: null };
    const overridden = c.summable ? override?.(no) : undefined;
    for (const column of columnsOf(c)) {
      if (!c.expr) continue;
      const raw = overridden ? overridden[column] : evaluate(c.expr, scopeFor(column));
      result[column] = raw == null ? null : c.line.type === 'percent' ? round1(raw * 100) : raw;
    }
    memo.set(no, result);
    return result;
  };

  const sections = def.sections.map((section) => ({
    title: section.title,
    lines: section.lines.map((line): LineResult => {
      const c = form.lines.get(line.no)!;
      const base = {
        no: line.no,
        label: line.label,
        type: line.type,
        columns: columnsOf(c),
        values: lineValues(line.no),
      };
      return line.text !== undefined ? { ...base, columns: [], text: texts[line.text] ?? '' } : base;
    }),
  }));
  const checked = checkControls(form, scopeFor);
  return {
    sections,
    failures: [...checked.failures, ...(def.columnControls ? checkColumns(form, lineValues) : [])],
    unchecked: checked.unchecked,
  };
}

/** A control whose either side is absent in some column is "not checked" — neither passed nor failed. */
function checkControls(
  form: CompiledForm,
  scopeFor: (c: ColumnKey) => Scope,
): { failures: ControlFailure[]; unchecked: UncheckedControl[] } {
  const out: ControlFailure[] = [];
  const unchecked: UncheckedControl[] = [];
  for (const { control, rule } of form.controls) {
    const failures: ControlFailure['failures'] = [];
    let absent = false;
    for (const column of control.columns) {
      const scope = scopeFor(column);
      const left = evaluate(rule.left, scope);
      const right = evaluate(rule.right, scope);
      if (left == null || right == null) absent = true;
      else if (!compare(left, rule.op, right)) failures.push({ column, left, right });
    }
    if (failures.length) {
      out.push({
        id: control.id,
        message: control.message,
        severity: control.severity,
        rule: control.rule,
        failures,
        cardsIndicator: control.cards ?? cardsOfLeft(form, rule.left),
      });
    } else if (absent) {
      unchecked.push({ id: control.id, message: control.message, rule: control.rule });
    }
  }
  return { failures: out, unchecked };
}

/** A control on a line lists the cards behind that line when the line says which they are. */
function cardsOfLeft(form: CompiledForm, left: Expr): string | undefined {
  return left.k === 'line' ? form.lines.get(left.no)?.line.cards : undefined;
}

function checkColumns(form: CompiledForm, lineValues: (no: string) => ColumnValues): ControlFailure[] {
  const out: ControlFailure[] = [];
  for (const no of form.order) {
    const c = form.lines.get(no)!;
    if (c.line.type !== 'count' || !c.expr) continue;
    const v = lineValues(no);
    for (const column of COLUMN_KEYS.filter((k) => k !== 'total')) {
      const part = v[column];
      if (part != null && v.total != null && part > v.total) {
        out.push({
          id: `columns-${no}-${column}`,
          severity: 'error',
          rule: `@${no}.${column} <= @${no}.total`,
          cardsIndicator: c.line.cards,
          message: `Строка ${no}: ${column === 'women' ? 'женщин' : 'молодёжи до 35 лет'} больше, чем всего`,
          failures: [{ column, left: part, right: v.total }],
        });
      }
    }
  }
  return out;
}

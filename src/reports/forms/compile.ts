import { INDICATORS, LISTS, TEXT_FIELDS, isIndicator } from '../indicators/catalog';
import {
  formDefinitionSchema,
  type FormControl,
  type FormDefinition,
  type FormLine,
  type LinesForm,
} from './form-schema';
import { FormulaError, parseExpression, parseRule, references, type Expr, type Rule } from './formula';

// A definition is checked in two steps: its shape (zod) and its meaning — every indicator known,
// every referenced line present, no line defined through itself. The result is a compiled form whose
// expressions are parsed once.

export interface CompiledLine {
  line: FormLine;
  section: number;
  expr: Expr | null;
  /** a count taken from the children as they are (summable indicators only, or a total of such lines) */
  summable: boolean;
}

export interface CompiledForm {
  def: FormDefinition;
  lines: Map<string, CompiledLine>;
  /** line numbers in the order of the form */
  order: string[];
  controls: { control: FormControl; rule: Rule }[];
  indicators: Set<string>;
}

export type CompileResult = { ok: true; form: CompiledForm } | { ok: false; errors: string[] };

const compiled = new WeakMap<object, CompiledForm>();

export function compileDefinition(input: unknown): CompileResult {
  const parsed = formDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`),
    };
  }
  const def = parsed.data;
  const errors: string[] = [];
  const form: CompiledForm = { def, lines: new Map(), order: [], controls: [], indicators: new Set() };
  if (def.kind === 'list') {
    const list = LISTS[def.list];
    if (!list) errors.push(`list: неизвестный список «${def.list}» (есть: ${Object.keys(LISTS).join(', ')})`);
    for (const c of def.listColumns)
      if (list && !list.columns.includes(c.key))
        errors.push(`listColumns: неизвестная колонка «${c.key}» списка ${def.list}`);
    return errors.length ? { ok: false, errors } : { ok: true, form };
  }
  compileLines(def, form, errors);
  compileControls(def, form, errors);
  checkCarriedForward(def, form, errors);
  if (!errors.length) findCycle(form, errors);
  if (errors.length) return { ok: false, errors };
  for (const c of form.lines.values()) c.summable = isSummable(c);
  // a total of summed lines (09 = 02 + 06 + 07 + 08) is taken from the children too: a 3-СП ППО's 09 counts
  // its members though it has no line 02, 07 or 08
  for (const c of form.lines.values())
    if (c.expr && c.line.type === 'count' && sumOfSummed(form, c.expr)) c.summable = true;
  return { ok: true, form };
}

/** The compiled form of a stored (already validated) definition, cached per object. */
export function compiledForm(definition: object): CompiledForm {
  const hit = compiled.get(definition);
  if (hit) return hit;
  const result = compileDefinition(definition);
  if (!result.ok) throw new Error(`stored form definition is invalid: ${result.errors.join('; ')}`);
  compiled.set(definition, result.form);
  return result.form;
}

function checkReferences(where: string, expr: Expr, form: CompiledForm, errors: string[]) {
  const refs = references(expr, { indicators: new Set(), lines: new Set(), ranges: [] });
  for (const name of refs.indicators) {
    if (isIndicator(name)) form.indicators.add(name);
    else errors.push(`${where}: неизвестный показатель «${name}»`);
  }
  for (const no of refs.lines) if (!form.lines.has(no)) errors.push(`${where}: ссылка на несуществующую строку @${no}`);
  for (const r of refs.ranges) {
    const from = form.order.indexOf(r.from);
    const to = form.order.indexOf(r.to);
    if (from < 0 || to < 0) errors.push(`${where}: диапазон @${r.from}..@${r.to} ссылается на несуществующую строку`);
    else if (from > to) errors.push(`${where}: в диапазоне @${r.from}..@${r.to} начало стоит после конца`);
  }
}

function compileLines(def: LinesForm, form: CompiledForm, errors: string[]) {
  def.sections.forEach((section, s) => {
    for (const line of section.lines) {
      if (form.lines.has(line.no)) errors.push(`Строка ${line.no}: номер повторяется`);
      form.lines.set(line.no, { line, section: s, expr: null, summable: false });
      form.order.push(line.no);
    }
  });
  for (const c of form.lines.values()) {
    const where = `Строка ${c.line.no}`;
    if (c.line.text !== undefined) {
      if (!Object.hasOwn(TEXT_FIELDS, c.line.text))
        errors.push(
          `${where}: неизвестное текстовое поле «${c.line.text}» (есть: ${Object.keys(TEXT_FIELDS).join(', ')})`,
        );
    } else {
      try {
        c.expr = parseExpression(c.line.formula as string);
        checkReferences(where, c.expr, form, errors);
      } catch (err) {
        if (!(err instanceof FormulaError)) throw err;
        errors.push(`${where}: ошибка в формуле «${c.line.formula}»: ${err.message}`);
      }
    }
    if (c.line.cards !== undefined) checkCards(where, c.line.cards, form, errors);
  }
}

/** Cards of the members whose history was changed back-dated after the previous report was filed. */
export const CHANGES_SINCE_FILING = 'changes_since_filing';

function checkCards(where: string, name: string, form: CompiledForm, errors: string[]) {
  if (name === CHANGES_SINCE_FILING) return;
  const group = INDICATORS[name]?.group;
  if (group !== 'state' && group !== 'start')
    errors.push(
      `${where}: cards — «${name}» не показатель состава членов (members_…), карточки по нему не перечислить`,
    );
  else form.indicators.add(name);
}

function compileControls(def: LinesForm, form: CompiledForm, errors: string[]) {
  const ids = new Set<string>();
  for (const control of def.controls) {
    const where = `Проверка ${control.id}`;
    if (ids.has(control.id)) errors.push(`${where}: идентификатор повторяется`);
    ids.add(control.id);
    try {
      const rule = parseRule(control.rule);
      checkReferences(where, rule.left, form, errors);
      checkReferences(where, rule.right, form, errors);
      form.controls.push({ control, rule });
    } catch (err) {
      if (!(err instanceof FormulaError)) throw err;
      errors.push(`${where}: ошибка в условии «${control.rule}»: ${err.message}`);
    }
    if (control.cards !== undefined) checkCards(where, control.cards, form, errors);
  }
}

function checkCarriedForward(def: LinesForm, form: CompiledForm, errors: string[]) {
  const carried = def.carriedForward;
  if (!carried) return;
  if (!form.lines.has(carried.line)) errors.push(`carriedForward: строки ${carried.line} в форме нет`);
  if (!isIndicator(carried.indicator)) errors.push(`carriedForward: неизвестный показатель «${carried.indicator}»`);
}

function lineDependencies(form: CompiledForm, c: CompiledLine): string[] {
  if (!c.expr) return [];
  const refs = references(c.expr, { indicators: new Set(), lines: new Set(), ranges: [] });
  const deps = [...refs.lines];
  for (const r of refs.ranges) deps.push(...form.order.slice(form.order.indexOf(r.from), form.order.indexOf(r.to) + 1));
  return deps;
}

function findCycle(form: CompiledForm, errors: string[]) {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (no: string): boolean => {
    if (state.get(no) === 'done') return false;
    if (state.get(no) === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(no)), no];
      errors.push(`Строки образуют цикл: ${cycle.join(' → ')}`);
      return true;
    }
    state.set(no, 'visiting');
    stack.push(no);
    for (const dep of lineDependencies(form, form.lines.get(no)!)) if (visit(dep)) return true;
    stack.pop();
    state.set(no, 'done');
    return false;
  };
  for (const no of form.order) if (visit(no)) return;
}

function sumOfSummed(form: CompiledForm, e: Expr): boolean {
  if (e.k === 'line') return !!form.lines.get(e.no)?.summable && form.lines.get(e.no)!.expr?.k === 'ind';
  return e.k === 'bin' && e.op === '+' && sumOfSummed(form, e.a) && sumOfSummed(form, e.b);
}

function isSummable(c: CompiledLine): boolean {
  if (!c.expr || c.line.type === 'percent') return false;
  const refs = references(c.expr, { indicators: new Set(), lines: new Set(), ranges: [] });
  return (
    refs.lines.size === 0 &&
    refs.ranges.length === 0 &&
    [...refs.indicators].every((n) => INDICATORS[n]?.summable === true)
  );
}

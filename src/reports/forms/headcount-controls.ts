import { INDICATORS } from '../indicators/catalog';
import { compiledForm, type CompiledForm } from './compile';
import type { FormDefinition } from './form-schema';
import { references, type Expr } from './formula';

/**
 * The controls of a form that read the employers' headcount (directly or through the lines they compare):
 * when one fails, the figure to check may be in the passport's «Численность» tab, not in the cards.
 */
export function headcountControlIds(def: FormDefinition): Set<string> {
  if (def.kind !== 'lines') return new Set();
  const form = compiledForm(def);
  return new Set(
    form.controls
      .filter(({ rule }) => readsHeadcount(form, [rule.left, rule.right], new Set()))
      .map(({ control }) => control.id),
  );
}

function readsHeadcount(form: CompiledForm, exprs: Expr[], seen: Set<string>): boolean {
  const refs = {
    indicators: new Set<string>(),
    lines: new Set<string>(),
    ranges: [] as { from: string; to: string }[],
  };
  for (const e of exprs) references(e, refs);
  if ([...refs.indicators].some((name) => INDICATORS[name]?.group === 'headcount')) return true;
  const lines = [
    ...refs.lines,
    ...refs.ranges.flatMap((r) => form.order.slice(form.order.indexOf(r.from), form.order.indexOf(r.to) + 1)),
  ];
  return lines.some((no) => {
    if (seen.has(no)) return false;
    seen.add(no);
    const expr = form.lines.get(no)?.expr;
    return !!expr && readsHeadcount(form, [expr], seen);
  });
}

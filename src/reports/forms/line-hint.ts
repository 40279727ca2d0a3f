import { INDICATORS, TEXT_FIELDS, type IndicatorGroup } from '../indicators/catalog';
import { compiledForm, type CompiledForm, type CompiledLine } from './compile';
import type { FormDefinition, LinesForm } from './form-schema';
import { references } from './formula';

// The «?» beside a report line: what the line counts and where the number comes from. A definition may
// word it itself (`hint`); otherwise it is built from the formula, so a new form version explains its
// lines without anyone writing help for them.

const SOURCES: Record<IndicatorGroup, string> = {
  state: 'по карточкам членов Профсоюза на дату отчёта',
  start: 'по карточкам членов Профсоюза на начало периода',
  movement: 'по событиям в карточках за период отчёта',
  headcount: 'из паспортов первичных организаций, вкладка «Численность» (по данным работодателя)',
  territory: 'из паспортов территориальных организаций, вкладка «Численность»',
  officers: 'из паспортов, вкладка «Председатель и выборные», на дату отчёта',
  structure: 'по структуре организаций (вкладка «Структура») на дату отчёта',
  filings: 'по отчётам, сданным нижестоящими организациями',
  agreements: 'из паспортов первичных организаций, вкладка «Коллективный договор»',
  own_agreement: 'из паспорта организации, вкладка «Коллективный договор»',
  cards: 'по электронным профсоюзным билетам членов Профсоюза на учёте',
};

const FROM_FILED = 'В сводном отчёте — сумма отчётов, сданных нижестоящими организациями.';

export function lineHint(form: CompiledForm, compiled: CompiledLine): string {
  const { line } = compiled;
  if (line.hint) return line.hint;
  if (line.text !== undefined)
    return `${TEXT_FIELDS[line.text] ?? line.label} — из паспорта организации, вкладка «Коллективный договор», на дату отчёта.`;
  const refs = references(compiled.expr!, { indicators: new Set(), lines: new Set(), ranges: [] });
  const parts: string[] = [];
  const lineNumbers = [...refs.lines, ...refs.ranges.map((r) => `${r.from}–${r.to}`)];
  if (lineNumbers.length)
    parts.push(
      `Вычисляется по строкам ${lineNumbers.join(', ')}: ${line.formula!.replace(/@/g, '')}${line.type === 'percent' ? ' (в процентах)' : ''}.`,
    );
  for (const name of refs.indicators) {
    const indicator = INDICATORS[name]!;
    parts.push(`${indicator.label} — ${SOURCES[indicator.group]}.`);
  }
  if (compiled.summable && (form.def as LinesForm).consolidates?.length) parts.push(FROM_FILED);
  return parts.join(' ');
}

/** The hints of every line of a form, by line number (a list form has none). */
export function lineHints(def: FormDefinition): Record<string, string> {
  if (def.kind !== 'lines') return {};
  const form = compiledForm(def);
  return Object.fromEntries([...form.lines.entries()].map(([no, line]) => [no, lineHint(form, line)]));
}

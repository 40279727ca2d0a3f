import type { CompiledForm } from './forms/compile';
import type { ColumnKey } from './forms/form-schema';
import { absentWhenNone } from './indicators/aggregates';
import { INDICATORS } from './indicators/catalog';
import type { ColumnValues } from './indicators/engine';
import type { DataGap, ReportResult } from './report-builder';

// Consolidation from filed reports adds the children's count lines up. A value a child's report lacks
// (a headcount nobody entered: null, printed «—») is not zero: the sum is over the children that have it,
// the line stays absent only when no child has it, and the children lacking it are named as a data gap.

export interface FiledChild {
  org: { inpo: string; name: string };
  result: Pick<ReportResult, 'sections'>;
}

/**
 * A line no filed child has at all (a 3-СП ППО has no employees' lines): what its indicator is when nothing
 * counts, as live — an amount nobody has is absent, nobody counted is 0.
 */
export function noFiledLine(form: CompiledForm | undefined, no: string): ColumnValues {
  const expr = form?.lines.get(no)?.expr;
  const ind = expr?.k === 'ind' ? INDICATORS[expr.name] : undefined;
  return ind && absentWhenNone(ind) ? { total: null, women: null, youth: null } : { total: 0, women: 0, youth: 0 };
}

export function sumFiledLines(children: FiledChild[]): { sums: Map<string, ColumnValues>; gaps: DataGap[] } {
  const sums = new Map<string, ColumnValues>();
  const lacking = new Map<FiledChild['org'], string[]>();
  for (const child of children) {
    for (const line of child.result.sections.flatMap((s) => s.lines)) {
      if (line.type !== 'count') continue;
      const acc = sums.get(line.no) ?? { total: null, women: null, youth: null };
      for (const k of line.columns as ColumnKey[]) {
        const v = line.values[k];
        if (v == null) {
          if (k === 'total') lacking.set(child.org, [...(lacking.get(child.org) ?? []), line.no]);
        } else acc[k] = (acc[k] ?? 0) + v;
      }
      sums.set(line.no, acc);
    }
  }
  // one entry per set of lines, naming the children that lack exactly those
  const byLines = new Map<string, FiledChild['org'][]>();
  for (const [org, lines] of lacking) byLines.set(lines.join(', '), [...(byLines.get(lines.join(', ')) ?? []), org]);
  const gaps = [...byLines].map(([lines, orgs]) => ({
    message: `В сданных отчётах нет данных по ${lines.includes(',') ? 'строкам' : 'строке'} ${lines} (численность не внесена в паспорт): сумма — по остальным организациям`,
    orgs: orgs.map(({ inpo, name }) => ({ inpo, name })).sort((a, b) => a.name.localeCompare(b.name, 'ru')),
    total: orgs.length,
  }));
  return { sums, gaps };
}

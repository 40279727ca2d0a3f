import type { ReportResult } from './report-builder';

/** The JSON of a report (its `.json` download and the API): every line with its number and column values, plus controls and gaps. */
export function reportJson(r: ReportResult) {
  return {
    form: r.form,
    organization: { inpo: r.organization.inpo, name: r.organization.name, level: r.organization.level },
    date: r.date,
    periodStart: r.periodStart,
    source: r.source,
    computedAt: r.computedAt,
    readFrom: r.readFrom,
    lines: r.sections.flatMap((s) =>
      s.lines.map((l) => ({
        section: s.title,
        no: l.no,
        label: l.label,
        type: l.type,
        values: l.type === 'text' ? undefined : pick(l.values, l.columns),
        text: l.text,
      })),
    ),
    controls: r.controls.map((c) => ({
      id: c.id,
      severity: c.severity,
      message: c.message,
      failures: c.failures,
      cards: c.cards.map((m) => m.id),
      cardsTotal: c.cardsTotal,
    })),
    unchecked: r.unchecked ?? [],
    gaps: r.gaps,
    rows: r.rows,
  };
}

function pick<T extends Record<string, unknown>>(values: T, keys: readonly string[]) {
  return Object.fromEntries(keys.map((k) => [k, values[k] ?? null]));
}

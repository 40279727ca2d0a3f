import type { ReportResult } from '../report-builder';
import { LIST_FIELD, cellText, listCell } from './report-text';

// Column widths of a printed form taken from its content, one rule for the PDF (points) and the XLSX
// (characters): a cell breaks only between words, so a column is never narrower than its longest word
// (an ИНПО, a date, a number is one word and stays whole: "1600000 / 069" was an ИНПО broken over two
// lines); a column whose texts have several words (names, labels) wraps, but keeps a comfortable width.
// A table whose columns do not fit a portrait page is laid out in landscape; one too wide even for that
// is scaled down as a whole.

export interface TableColumn {
  header: string;
  cells: readonly string[];
}

/** Texts laid out across several adjacent columns of one width (the value columns of a form and its text lines under them). */
export interface TableSpan {
  columns: readonly number[];
  texts: readonly string[];
}

export interface TableMetrics {
  /** Width of a body text; of a header text (bold). */
  body(text: string): number;
  head(text: string): number;
  /** Added to each cell's text (both sides together). */
  padding: number;
  /** The main text column (the widest that wraps: names, labels) is given at least this much, or its widest text when less. */
  comfort: number;
}

export interface TableLayout {
  /** In the metrics' units at full size. */
  widths: number[];
  /** Which columns hold texts of several words, and so wrap. */
  wraps: boolean[];
  landscape: boolean;
  /** 1, or the factor by which the whole table (font and widths) must shrink to fit a landscape page (the XLSX prints fitted to the width instead). */
  scale: number;
}

interface Need {
  min: number;
  desired: number;
  wraps: boolean;
}

const words = (text: string) => text.split(/\s+/).filter(Boolean);

// The widest of many texts of several words is among the longest by characters: only these are measured
// (measuring each of 75,000 names would cost more than laying the list out).
const WIDEST_CANDIDATES = 16;

function needOf(texts: readonly string[], measure: (t: string) => number, headerWords: number, padding: number): Need {
  let longestWord = headerWords;
  let widest = headerWords;
  const phrases: string[] = [];
  const seen = new Set<string>();
  for (const text of texts) {
    if (!text || seen.has(text)) continue;
    seen.add(text);
    const parts = words(text);
    for (const w of parts) longestWord = Math.max(longestWord, measure(w));
    if (parts.length > 1) phrases.push(text);
  }
  widest = Math.max(widest, longestWord);
  phrases.sort((a, b) => b.length - a.length);
  for (const text of phrases.slice(0, WIDEST_CANDIDATES)) widest = Math.max(widest, measure(text));
  return { min: longestWord + padding, desired: widest + padding, wraps: phrases.length > 0 };
}

export function layoutTable(
  columns: readonly TableColumn[],
  m: TableMetrics,
  page: { portrait: number; landscape: number },
  spans: readonly TableSpan[] = [],
): TableLayout {
  const needs = columns.map((c) => needOf(c.cells, m.body, Math.max(0, ...words(c.header).map(m.head)), m.padding));
  const main = needs.reduce((best, n, i) => (n.wraps && (best < 0 || n.desired > needs[best]!.desired) ? i : best), -1);
  const comfortable = (n: Need) => Math.max(n.min, Math.min(n.desired, m.comfort + m.padding));
  const widths = needs.map((n, i) => (i === main ? comfortable(n) : n.min));
  for (const span of spans) {
    const even = Math.max(0, ...span.columns.map((i) => widths[i]!));
    // the texts under several columns read like the main column: comfortably wide
    const need = comfortable(needOf(span.texts, m.body, 0, m.padding));
    for (const i of span.columns) widths[i] = Math.max(even, need / span.columns.length);
  }
  const total = widths.reduce((s, w) => s + w, 0);
  const landscape = total > page.portrait;
  const usable = landscape ? page.landscape : page.portrait;
  const wraps = needs.map((n) => n.wraps);
  if (total >= usable) return { widths, wraps, landscape, scale: Math.min(1, usable / total) };
  // the room left goes to the wrapping columns, each up to its widest text, then to the widest of them
  let extra = usable - total;
  const deficits = needs.map((n, i) => (n.wraps ? Math.max(0, n.desired - widths[i]!) : 0));
  const owed = deficits.reduce((s, d) => s + d, 0);
  const share = owed > 0 ? Math.min(1, extra / owed) : 0;
  deficits.forEach((d, i) => (widths[i]! += d * share));
  extra -= owed * share;
  if (main >= 0) widths[main]! += extra;
  return { widths, wraps, landscape, scale: 1 };
}

/**
 * A form's table as texts, for the layout: a list form's columns; or a line form's line number, label and
 * value columns, with its text lines spanning the value columns.
 */
export function formTable(r: ReportResult, numberHeader: string): { columns: TableColumn[]; spans: TableSpan[] } {
  if (r.form.kind === 'list') {
    const rows = (r.rows ?? []) as unknown as Record<string, unknown>[];
    const columns = (r.listColumns ?? []).map((c) => ({
      header: c.label,
      cells: rows.map((row) => String(listCell(row, LIST_FIELD[c.key] ?? c.key))),
    }));
    return { columns, spans: [] };
  }
  const lines = r.sections.flatMap((s) => s.lines);
  const numbers = lines.filter((l) => l.type !== 'text');
  return {
    columns: [
      { header: numberHeader, cells: lines.map((l) => l.no) },
      { header: 'Показатель', cells: lines.map((l) => l.label) },
      ...r.columns.map((c) => ({ header: c.label, cells: numbers.map((l) => cellText(l, c.key)) })),
    ],
    spans: [
      {
        columns: r.columns.map((_, i) => 2 + i),
        texts: lines.filter((l) => l.type === 'text').map((l) => l.text ?? ''),
      },
    ],
  };
}

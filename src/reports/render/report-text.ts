import { formatDate, formatNumber } from '../../shared/format';
import type { LineResult } from '../forms/evaluate';
import type { ReportResult } from '../report-builder';
import { readPlaceText } from '../read-place-text';

// What the paper blank says, shared by the XLSX and PDF renderings.

export function headerLines(r: ReportResult): string[] {
  const readNote = readPlaceText(r.readFrom);
  return [
    `Организация: ${r.organization.name}`,
    `ИНПО: ${r.organization.inpo}`,
    `Отчётная дата: ${formatDate(r.date)} · период движения: с ${formatDate(r.periodStart)} по ${formatDate(r.date)}`,
    `Версия формы: ${r.form.version} · ${r.source === 'filed' ? 'сводка по сданным отчётам' : 'по данным реестра'} на ${formatDate(new Date(r.computedAt))}`,
    ...(readNote ? [readNote] : []),
  ];
}

export const SIGN_OFF = [
  'Председатель организации ____________________ / ______________________ /',
  'Ответственный за статистическую отчётность ____________________ / ______________________ /',
  'Дата «____» ______________ 20____ г.',
];

/** What an absent value prints as: «нет данных», never 0. */
export const ABSENT = '—';

/** A numeric cell as printed: percentages with one decimal, «—» when the registry holds no value. */
export function cellText(line: LineResult, column: string): string {
  if (!line.columns.includes(column as never)) return '×';
  const v = line.values[column as keyof LineResult['values']];
  if (v == null) return ABSENT;
  return line.type === 'percent' ? v.toFixed(1).replace('.', ',') : String(v);
}

/** Figures of list rows: absent (no headcount) prints «—»; an absent date or text is just empty. */
const LIST_FIGURES = new Set(['staffCovered', 'membersCovered']);

export function listCell(row: Record<string, unknown>, key: string): string | number {
  const v = row[key];
  if (v == null) return LIST_FIGURES.has(key) ? ABSENT : '';
  if (typeof v === 'boolean') return v ? 'да' : 'нет';
  if (typeof v === 'number') return v;
  return /^\d{4}-\d{2}-\d{2}$/.test(String(v)) ? formatDate(String(v)) : String(v);
}

/** Row keys of a list form map onto the camelCase fields of its rows. */
export const LIST_FIELD: Record<string, string> = {
  name: 'name',
  inpo: 'inpo',
  employer_kind: 'employerKind',
  has_agreement: 'hasAgreement',
  signed_on: 'signedOn',
  valid_from: 'validFrom',
  valid_to: 'validTo',
  staff_covered: 'staffCovered',
  members_covered: 'membersCovered',
  status: 'status',
};

/** Where a list cell leads on the page, by column: the row's organization to its agreement tab. */
const LIST_LINKS: Record<string, (row: Record<string, unknown>) => string> = {
  name: (row) => `/orgs/${String(row.inpo)}/agreement`,
};

export interface ListPageCell {
  text: string;
  /** a figure: right-aligned */
  figure: boolean;
  link?: string;
}

/** A list form's rows as its page shows them: the form's columns in the form's order, figures formatted, names linked. */
export function listPageRows(r: ReportResult): ListPageCell[][] {
  const columns = (r.listColumns ?? []).map((c) => LIST_FIELD[c.key] ?? c.key);
  return (r.rows ?? []).map((item) => {
    const row = item as unknown as Record<string, unknown>;
    return columns.map((key) => {
      const value = listCell(row, key);
      return {
        text: typeof value === 'number' ? formatNumber(value) : value,
        figure: LIST_FIGURES.has(key),
        link: LIST_LINKS[key]?.(row),
      };
    });
  });
}

/** The notes under the lines: data gaps with the organizations lacking the data, and the controls not checked. */
export function noteBlocks(r: ReportResult): { title: string; items: string[] }[] {
  const blocks = [];
  if (r.gaps.length) {
    blocks.push({
      title: 'Пробелы в данных',
      items: r.gaps.map(
        (g) =>
          `${g.message}${g.orgs.length ? `: ${g.orgs.map((o) => `${o.name} (ИНПО ${o.inpo})`).join(', ')}${g.total > g.orgs.length ? ` и ещё ${g.total - g.orgs.length}` : ''}` : ''}`,
      ),
    });
  }
  if (r.unchecked?.length)
    blocks.push({
      title: 'Не проверены: нет данных для сравнения',
      items: r.unchecked.map((c) => `не проверен: ${c.message}`),
    });
  return blocks;
}

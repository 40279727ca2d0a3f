import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import type { Reads } from '../db/replica';
import { barChart, lineChart, pyramidChart, stackedBarChart } from '../charts/charts';
import type { RowSink } from '../db/stream-rows';
import type { OrgRow } from '../registry/org-row';
import { formatDate, formatNumber, formatPercent } from '../shared/format';
import { addSafeRow } from '../shared/spreadsheet';
import { crossCounts, monthlySeries, organizationNames, type MonthRow } from './analytics.repo';
import type { CrossForm, SeriesForm } from './analytics.schemas';
import {
  DIMENSION_LABELS,
  SHARE_LABELS,
  TENURE_BOUNDS,
  ageBounds,
  valuesOf,
  type Dimension,
  type DimensionValue,
  type Share,
} from './dimensions';

export interface Cell {
  n: number;
  /** The share the form asked for (0–100), or null when it asked for counts only or the base is zero. */
  share: number | null;
}

export interface CrossTable {
  org: OrgRow;
  date: string;
  rowDimension: Dimension;
  columnDimension: Dimension | null;
  share: Share;
  rows: DimensionValue[];
  /** One column («Всего») when the table has one dimension. */
  columns: DimensionValue[];
  cells: Cell[][];
  rowTotals: Cell[];
  columnTotals: Cell[];
  total: number;
  /** The chart beside the table (SVG markup, escaped labels, no script or style). */
  chart: string;
}

/** '2026-03' or '2026-03-01' → «03.2026». */
export const monthLabel = (month: string) => `${month.slice(5, 7)}.${month.slice(0, 4)}`;

const percent = (n: number, base: number) => (base === 0 ? null : (n * 100) / base);

/** The header the page, the chart and the workbook share. */
export function tableTitle(t: Pick<CrossTable, 'rowDimension' | 'columnDimension' | 'date'>): string {
  const dims = [t.rowDimension, t.columnDimension]
    .filter((x): x is Dimension => x !== null)
    .map((x) => DIMENSION_LABELS[x].toLowerCase())
    .join(' и ');
  return `Члены Профсоюза на учёте на ${formatDate(t.date)} по признакам: ${dims}`;
}

/** A cell as the page and the workbook write it: the count, and the share after it when asked. */
export const cellText = (cell: Cell) =>
  formatNumber(cell.n) + (cell.share === null ? '' : ` (${formatPercent(cell.share)})`);

/** The levels whose tables read on the standby when there is one (db/replica.ts). */
const HEAVY_LEVELS: ReadonlySet<string> = new Set(['regional', 'okrug', 'union']);

export function createAnalyticsService(primary: Knex, reads: Reads) {
  /** Reads only: the standby for a region or the union, the primary for smaller subtrees. */
  const reading = async <T>(org: OrgRow, work: (db: Knex) => Promise<T>): Promise<T> =>
    HEAVY_LEVELS.has(org.level) ? (await reads.run(work)).value : work(primary);
  return {
    crossTable: (org: OrgRow, form: CrossForm) => reading(org, (db) => crossTable(db, org, form)),
    series: (org: OrgRow, form: SeriesForm) => reading(org, (db) => monthlySeries(db, org.id, form.from, form.to)),
  };
}

export type AnalyticsService = ReturnType<typeof createAnalyticsService>;

async function crossTable(db: Knex, org: OrgRow, form: CrossForm): Promise<CrossTable> {
  const dimensions: [Dimension] | [Dimension, Dimension] = form.columns ? [form.rows, form.columns] : [form.rows];
  const counts = await crossCounts(db, {
    rootId: org.id,
    date: form.date,
    dimensions,
    ageBounds: ageBounds(form.ageLimits),
    tenureBounds: TENURE_BOUNDS,
  });
  const childIds = dimensions.includes('child')
    ? [...new Set(counts.flatMap((c) => [c.a, c.b]).filter((key) => /^\d+$/.test(key)))].map(Number)
    : [];
  const childNames = new Map((await organizationNames(db, childIds)).map((o) => [String(o.id), o.name]));
  const context = { ageLimits: form.ageLimits, childNames };
  const rows = valuesOf(
    form.rows,
    counts.map((c) => c.a),
    context,
  );
  const columns = form.columns
    ? valuesOf(
        form.columns,
        counts.map((c) => c.b),
        context,
      )
    : [{ key: '', label: 'Всего' }];
  const n = new Map(counts.map((c) => [`${c.a}\u0000${c.b}`, c.n]));
  const grid = rows.map((r) => columns.map((c) => n.get(`${r.key}\u0000${c.key}`) ?? 0));
  const rowSums = grid.map((line) => line.reduce((x, y) => x + y, 0));
  const columnSums = columns.map((_, j) => grid.reduce((x, line) => x + line[j]!, 0));
  const total = rowSums.reduce((x, y) => x + y, 0);
  const share = form.share;
  const cell = (value: number, rowBase: number, columnBase: number): Cell => ({
    n: value,
    share:
      share === 'count' ? null : percent(value, share === 'row' ? rowBase : share === 'column' ? columnBase : total),
  });
  const table = {
    org,
    date: form.date,
    rowDimension: form.rows,
    columnDimension: form.columns ?? null,
    share,
    rows,
    columns,
    cells: grid.map((line, i) => line.map((value, j) => cell(value, rowSums[i]!, columnSums[j]!))),
    rowTotals: rowSums.map((value) => cell(value, value, total)),
    columnTotals: columnSums.map((value, j) => cell(value, total, columnSums[j]!)),
    total,
  };
  return { ...table, chart: crossChart(table) };
}

/**
 * The chart of a cross-table: bars for one dimension, stacked bars for two, the population pyramid for sex
 * by age (either way round). It draws the counts, as the table writes them.
 */
function crossChart(t: Omit<CrossTable, 'chart'>): string {
  const title = tableTitle(t);
  const labels = t.rows.map((r) => r.label);
  const dims = [t.rowDimension, t.columnDimension];
  if (dims.includes('sex') && dims.includes('age')) {
    const sexByRow = t.rowDimension === 'sex';
    const bands = (sexByRow ? t.columns : t.rows).map((v) => v.label);
    const countsOf = (sex: string) =>
      sexByRow
        ? t.cells[t.rows.findIndex((r) => r.key === sex)]!.map((c) => c.n)
        : t.cells.map((line) => line[t.columns.findIndex((c) => c.key === sex)]!.n);
    return pyramidChart({
      id: 'analytics-chart',
      title,
      bands,
      left: { name: 'Мужчины', values: countsOf('m') },
      right: { name: 'Женщины', values: countsOf('f') },
    });
  }
  if (t.columnDimension === null)
    return barChart({
      id: 'analytics-chart',
      title,
      labels,
      values: t.rowTotals.map((c) => c.n),
      seriesName: 'Членов на учёте',
    });
  return stackedBarChart({
    id: 'analytics-chart',
    title,
    labels,
    series: t.columns.map((column, j) => ({ name: column.label, values: t.cells.map((line) => line[j]!.n) })),
  });
}

/** The cross-table as a workbook: what, where and when in the header, then the table as the page shows it. */
export async function writeCrossWorkbook(t: CrossTable, sink: RowSink): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Аналитика');
  const header: [string, string][] = [
    ['Организация', `${t.org.name} (ИНПО ${t.org.inpo}), со всеми входящими организациями`],
    ['Дата', formatDate(t.date)],
    [
      'Признаки',
      [t.rowDimension, t.columnDimension]
        .filter((x): x is Dimension => x !== null)
        .map((x) => DIMENSION_LABELS[x])
        .join(' × '),
    ],
    ['Показатель', SHARE_LABELS[t.share]],
  ];
  addSafeRow(sheet, [tableTitle(t)]).font = { bold: true };
  for (const line of header) addSafeRow(sheet, line);
  addSafeRow(sheet, []);
  const columnHeads = t.columnDimension === null ? [] : t.columns.map((c) => c.label);
  addSafeRow(sheet, [DIMENSION_LABELS[t.rowDimension], ...columnHeads, 'Итого']).font = { bold: true };
  t.rows.forEach((row, i) =>
    addSafeRow(sheet, [
      row.label,
      ...(t.columnDimension === null ? [] : t.cells[i]!.map(cellText)),
      cellText(t.rowTotals[i]!),
    ]),
  );
  addSafeRow(sheet, [
    'Итого',
    ...(t.columnDimension === null ? [] : t.columnTotals.map(cellText)),
    formatNumber(t.total),
  ]).font = { bold: true };
  sheet.getColumn(1).width = 40;
  for (let j = 2; j <= columnHeads.length + 2; j++) sheet.getColumn(j).width = 18;
  await workbook.xlsx.write(sink.out);
}

/** The monthly series as a chart: members on record as a line, the movement as lines of their own. */
export function seriesCharts(rows: MonthRow[]): { onRecord: string; movement: string } {
  const labels = rows.map((r) => monthLabel(r.month));
  return {
    onRecord: lineChart({
      id: 'series-on-record',
      title: 'Члены Профсоюза на учёте на конец месяца',
      labels,
      series: [{ name: 'На учёте', values: rows.map((r) => r.onRecord) }],
    }),
    movement: lineChart({
      id: 'series-movement',
      title: 'Принято, выбыло и выдано билетов по месяцам',
      labels,
      series: [
        { name: 'Принято', values: rows.map((r) => r.admitted) },
        { name: 'Выбыло', values: rows.map((r) => r.left) },
        { name: 'Выдано билетов', values: rows.map((r) => r.cardsIssued) },
      ],
    }),
  };
}

export const SERIES_COLUMNS = ['Месяц', 'На учёте на конец месяца', 'Принято', 'Выбыло', 'Выдано билетов'];

export async function writeSeriesWorkbook(org: OrgRow, form: SeriesForm, rows: MonthRow[], sink: RowSink) {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('По месяцам');
  addSafeRow(sheet, ['Члены Профсоюза, приём, выбытие и выдача билетов по месяцам']).font = { bold: true };
  addSafeRow(sheet, ['Организация', `${org.name} (ИНПО ${org.inpo}), со всеми входящими организациями`]);
  addSafeRow(sheet, ['Период', `${monthLabel(form.from)} – ${monthLabel(form.to)}`]);
  addSafeRow(sheet, []);
  addSafeRow(sheet, SERIES_COLUMNS).font = { bold: true };
  for (const r of rows) addSafeRow(sheet, [monthLabel(r.month), r.onRecord, r.admitted, r.left, r.cardsIssued]);
  sheet.getColumn(1).width = 14;
  for (let j = 2; j <= SERIES_COLUMNS.length; j++) sheet.getColumn(j).width = 22;
  await workbook.xlsx.write(sink.out);
}

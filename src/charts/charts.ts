// The registry's chart kinds, drawn on the server as SVG (Apache ECharts' SSR, src/charts/svg.ts): a bar chart
// (horizontal when the rows are many or their names long), stacked bars, a line over time and a population
// pyramid. Every chart is a figure beside its table: the table is the text alternative, the SVG carries a
// `<title>` and `aria-label`, and each value is written on its bar (or point) as the table writes it.
import { formatNumber, formatPercent } from '../shared/format';
import { renderSvg } from './svg';

/** Dark enough for white text on a bar (WCAG AA, ≥ 4.5:1) and told apart in greyscale print by lightness. */
export const CHART_COLOURS = ['#1f5fa8', '#b5451b', '#2e6b30', '#6a3d9a', '#7a5d00', '#00707a', '#a3134f', '#455a64'];

const TEXT = '#212529';
const WIDTH = 720;
const FONT = { fontFamily: 'sans-serif', fontSize: 12, color: TEXT };

export type ValueFormat = 'number' | 'percent';

export interface Chart {
  /** Unique on the page: letters, digits, hyphens. */
  id: string;
  /** What the chart shows, in Russian (its `<title>` and `aria-label`). */
  title: string;
  format?: ValueFormat;
}

export interface Series {
  name: string;
  values: number[];
}

const formatter = (format: ValueFormat | undefined) => (value: number) =>
  format === 'percent' ? formatPercent(value) : formatNumber(value);

/** Rows many or names long: the bars lie along the page and grow it by a row each. */
function lies(labels: string[]): boolean {
  return labels.length > 6 || labels.some((label) => label.length > 14);
}

const rowsHeight = (rows: number, extra: number) => 40 + extra + rows * 26;

/** Category axis with the names in full up to 28 characters; the table beside has them all. */
const categoryAxis = (labels: string[], along: boolean) => ({
  type: 'category',
  data: labels,
  inverse: along,
  axisLabel: { ...FONT, interval: 0, width: along ? 200 : 110, overflow: 'truncate' },
  axisTick: { alignWithLabel: true },
});

const valueAxis = (format: ValueFormat | undefined, absolute = false) => ({
  type: 'value',
  axisLabel: {
    ...FONT,
    formatter: (value: number) => formatter(format)(absolute ? Math.abs(value) : value),
  },
});

/** The grid keeps the axis names inside the picture (ECharts 6: `outerBounds`). */
const grid = (legend: boolean) => ({
  left: 10,
  right: 40,
  top: legend ? 40 : 16,
  bottom: 10,
  outerBoundsMode: 'same',
  containLabel: true,
});

const legend = { top: 4, textStyle: FONT, itemWidth: 18, itemHeight: 12 };

/** Bars by category: along the page or up it (`lies`), with the common text style, colours and grid. */
function barFrame(chart: Chart & { labels: string[] }, withLegend: boolean) {
  const along = lies(chart.labels);
  const categories = categoryAxis(chart.labels, along);
  const values = valueAxis(chart.format);
  return {
    along,
    format: formatter(chart.format),
    option: {
      textStyle: FONT,
      color: CHART_COLOURS,
      ...(withLegend ? { legend } : {}),
      grid: grid(withLegend),
      xAxis: along ? values : categories,
      yAxis: along ? categories : values,
    },
  };
}

/** One series by category (coverage by child organization, members by sex, …). */
export function barChart(chart: Chart & { labels: string[]; values: number[]; seriesName: string }): string {
  const { along, format, option } = barFrame(chart, false);
  return renderSvg(
    {
      ...option,
      series: [
        {
          type: 'bar',
          name: chart.seriesName,
          data: chart.values,
          barMaxWidth: 48,
          label: {
            show: true,
            position: along ? 'right' : 'top',
            ...FONT,
            formatter: ({ value }: { value: number }) => format(value),
          },
        },
      ],
    },
    { id: chart.id, title: chart.title, width: WIDTH, height: along ? rowsHeight(chart.labels.length, 0) : 320 },
  );
}

/** Parts of a whole per category (card statuses by child, category by sex, …), a colour per part and a legend. */
export function stackedBarChart(chart: Chart & { labels: string[]; series: Series[] }): string {
  const { along, format, option } = barFrame(chart, true);
  return renderSvg(
    {
      ...option,
      series: chart.series.map((series) => ({
        type: 'bar',
        stack: 'total',
        name: series.name,
        data: series.values,
        barMaxWidth: 48,
        label: {
          show: true,
          position: 'inside',
          ...FONT,
          color: '#fff',
          // an empty part has no bar to write on
          formatter: ({ value }: { value: number }) => (value === 0 ? '' : format(value)),
        },
      })),
    },
    { id: chart.id, title: chart.title, width: WIDTH, height: along ? rowsHeight(chart.labels.length, 30) : 340 },
  );
}

/** Figures over time (members on record, admissions, exits, cards issued by month): a line per series. */
export function lineChart(chart: Chart & { labels: string[]; series: Series[] }): string {
  const format = formatter(chart.format);
  return renderSvg(
    {
      textStyle: FONT,
      color: CHART_COLOURS,
      legend,
      grid: grid(true),
      xAxis: { ...categoryAxis(chart.labels, false), boundaryGap: false, axisLabel: { ...FONT } },
      yAxis: { ...valueAxis(chart.format), scale: true },
      series: chart.series.map((series, index) => ({
        type: 'line',
        name: series.name,
        data: series.values,
        symbol: ['circle', 'rect', 'triangle', 'diamond'][index % 4],
        symbolSize: 7,
        label: {
          show: chart.labels.length <= 24,
          position: 'top',
          ...FONT,
          formatter: ({ value }: { value: number }) => format(value),
        },
      })),
    },
    { id: chart.id, title: chart.title, width: WIDTH, height: 360 },
  );
}

/**
 * A population pyramid: age bands from the youngest at the bottom, the left series (men) to the left and the
 * right one (women) to the right, each bar labelled with its own count.
 */
export function pyramidChart(chart: Chart & { bands: string[]; left: Series; right: Series }): string {
  const format = formatter(chart.format);
  const side = (series: Series, sign: 1 | -1, position: 'left' | 'right') => ({
    type: 'bar',
    stack: 'pyramid',
    name: series.name,
    data: series.values.map((value) => sign * value),
    barCategoryGap: '15%',
    label: {
      show: true,
      position,
      ...FONT,
      formatter: ({ value }: { value: number }) => format(Math.abs(value)),
    },
  });
  return renderSvg(
    {
      textStyle: FONT,
      color: CHART_COLOURS,
      legend,
      grid: { ...grid(true), left: 40, right: 60 },
      xAxis: valueAxis(chart.format, true),
      yAxis: { ...categoryAxis(chart.bands, false), axisLabel: { ...FONT, interval: 0 } },
      series: [side(chart.left, -1, 'left'), side(chart.right, 1, 'right')],
    },
    { id: chart.id, title: chart.title, width: WIDTH, height: rowsHeight(chart.bands.length, 60) },
  );
}

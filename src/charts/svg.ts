// Server-side SVG of an Apache ECharts option, made fit for the page's CSP and for tests.
//
// ECharts' SSR writes its text styles into `style="…"` attributes and a `<style>` element (hover rules),
// which the CSP (`style-src 'self'`, src/http/setup/security.ts) refuses when the SVG is inline markup;
// its class names and clip-path ids carry a counter that grows with every chart made in the process.
// `cleanSvg` turns the styles into SVG presentation attributes, drops the hover rules and the classes,
// numbers the ids from the chart's own prefix (so two charts on a page do not collide and the same input
// gives the same SVG) and keeps ECharts' marks of the data elements as `data-series`/`data-index`.
import * as echarts from 'echarts';

type EChartsOption = echarts.EChartsCoreOption;

export interface ChartFrame {
  /** What the chart shows, in Russian: the SVG's `<title>` and `aria-label`. */
  title: string;
  /** A prefix unique on the page (letters, digits, hyphens): the SVG's id and its clip paths' ids. */
  id: string;
  width: number;
  height: number;
}

/** CSS properties ECharts writes into `style` that SVG also takes as presentation attributes. */
const PRESENTATION_PROPERTIES = new Set([
  'font-size',
  'font-family',
  'font-weight',
  'font-style',
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'opacity',
]);

const ID_PATTERN = /^[a-z][a-z0-9-]*$/;

export function renderSvg(option: EChartsOption, frame: ChartFrame): string {
  if (!ID_PATTERN.test(frame.id)) throw new Error(`chart id ${frame.id} must be letters, digits and hyphens`);
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: frame.width, height: frame.height });
  try {
    chart.setOption({ animation: false, ...option });
    return cleanSvg(chart.renderToSVGString(), frame);
  } finally {
    chart.dispose();
  }
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function cleanSvg(svg: string, frame: ChartFrame): string {
  const title = escapeXml(frame.title);
  return svg
    .replace(/<style[^>]*>[\s\S]*?<\/style>\s*/g, '')
    .replace(/<(path|text|g|rect|clipPath|defs)\b([^>]*)>/g, (_all, tag: string, attributes: string) => {
      return `<${tag}${elementAttributes(attributes)}>`;
    })
    .replace(/\bzr\d+-c(\d+)\b/g, `${frame.id}-c$1`)
    .replace(
      /^<svg width="(\d+)" height="(\d+)" ([^>]*)>/,
      `<svg $3 id="${frame.id}" class="chart-svg" role="img" aria-label="${title}"><title>${title}</title>`,
    )
    .replace(/ baseProfile="full"| version="1\.1"| xmlns:xlink="[^"]*"/g, '')
    .replace(/\n+/g, '\n')
    .trim();
}

/**
 * One element's attributes: no classes, no hover targets, styles as presentation attributes; a series'
 * data element (ECharts' `ecmeta_ssr_type="chart"`) keeps its series and data index for tests and tools.
 */
function elementAttributes(attributes: string): string {
  const isDataItem = / ecmeta_ssr_type="chart"/.test(attributes);
  const series = / ecmeta_series_index="(\d+)"/.exec(attributes)?.[1];
  const index = / ecmeta_data_index="(\d+)"/.exec(attributes)?.[1];
  const kept = attributes
    .replace(/ class="zr\d+-cls-\d+"/g, '')
    .replace(/ ecmeta_[a-z_]+="[^"]*"/g, '')
    .replace(/ pointer-events="visible"/g, '')
    .replace(/ style="([^"]*)"/g, (_all, css: string) => presentationAttributes(css))
    .trimEnd();
  return isDataItem && series !== undefined && index !== undefined
    ? `${kept} data-series="${series}" data-index="${index}"`
    : kept;
}

/** `font-size:12px;font-family:sans-serif;` → ` font-size="12px" font-family="sans-serif"`; others dropped. */
function presentationAttributes(css: string): string {
  return css
    .split(';')
    .map((declaration) => declaration.split(':').map((part) => part.trim()))
    .filter((parts): parts is [string, string] => parts.length === 2 && PRESENTATION_PROPERTIES.has(parts[0]!))
    .map(([name, value]) => ` ${name}="${escapeXml(value.replace(/&quot;/g, ''))}"`)
    .join('');
}

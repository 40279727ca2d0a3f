import { SaxesParser } from 'saxes';

export interface SvgElement {
  name: string;
  attributes: Record<string, string>;
  /** The element's own text (a `<text>` label, a `<title>`). */
  text: string;
}

/** The elements of an SVG document in order; throws when it is not well-formed XML. */
export function parseSvg(svg: string): SvgElement[] {
  const parser = new SaxesParser({ xmlns: false });
  const elements: SvgElement[] = [];
  const open: SvgElement[] = [];
  parser.on('opentag', (tag) => {
    const element = { name: tag.name, attributes: tag.attributes as Record<string, string>, text: '' };
    elements.push(element);
    open.push(element);
  });
  parser.on('text', (text) => {
    const current = open.at(-1);
    if (current) current.text += text;
  });
  parser.on('closetag', () => open.pop());
  parser.on('error', (error) => {
    throw error;
  });
  parser.write(svg).close();
  return elements;
}

/** The SVG's texts (axis names, value labels, legend), `\u00a0` read as a space. */
export function svgTexts(svg: string): string[] {
  return parseSvg(svg)
    .filter((element) => element.name === 'text')
    .map((element) => element.text.replace(/\u00a0/g, ' '));
}

/** The data elements (bars, points) of each series, by series index. */
export function svgDataItems(svg: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const element of parseSvg(svg)) {
    const series = element.attributes['data-series'];
    if (series !== undefined) counts.set(Number(series), (counts.get(Number(series)) ?? 0) + 1);
  }
  return counts;
}

/** The first `<svg …>…</svg>` inside an HTML page, for the pages that embed a chart as markup. */
export function svgIn(html: string, id: string): string {
  const match = new RegExp(`<svg [^>]*id="${id}"[\\s\\S]*?</svg>`).exec(html);
  if (!match) throw new Error(`no chart #${id} in the page`);
  return match[0];
}

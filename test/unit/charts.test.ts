import { describe, expect, it } from 'vitest';
import { barChart, lineChart, pyramidChart, stackedBarChart } from '../../src/charts/charts';
import { parseSvg, svgDataItems, svgTexts } from '../support/svg';

const coverage = () =>
  barChart({
    id: 'coverage',
    title: 'Охват профчленством по организациям',
    labels: ['Кировская', 'Пермская'],
    values: [72.5, 91],
    seriesName: 'Охват',
    format: 'percent',
  });

describe('server-side SVG charts', () => {
  it('when a bar chart is drawn, then it is well-formed XML with a title, role img and a bar and label per value', () => {
    const svg = coverage();
    const elements = parseSvg(svg);
    const root = elements[0]!;
    expect(root.name).toBe('svg');
    expect(root.attributes).toMatchObject({ role: 'img', 'aria-label': 'Охват профчленством по организациям' });
    expect(elements[1]).toMatchObject({ name: 'title', text: 'Охват профчленством по организациям' });
    expect(svgDataItems(svg)).toEqual(new Map([[0, 2]]));
    expect(svgTexts(svg)).toEqual(expect.arrayContaining(['Кировская', 'Пермская', '72,5 %', '91,0 %']));
  });

  it('when the same input is drawn twice, then the SVG is the same (ids from the chart, not a counter)', () => {
    expect(coverage()).toBe(coverage());
  });

  it('when a label holds markup, then it is text: no element, style, script or event attribute reaches the page', () => {
    const svg = barChart({
      id: 'odd',
      title: 'Заголовок "с" <b>разметкой</b>',
      labels: ['<script>alert(1)</script>', '" onload="x'],
      values: [1, 2],
      seriesName: '<img src=x>',
    });
    const elements = parseSvg(svg);
    expect(elements.map((element) => element.name)).not.toContain('script');
    expect(elements.map((element) => element.name)).not.toContain('style');
    expect(elements.map((element) => element.name)).not.toContain('b');
    // the CSP (style-src 'self') refuses style attributes: ECharts' styles become presentation attributes
    for (const element of elements) {
      expect(Object.keys(element.attributes).filter((name) => name === 'style' || name.startsWith('on'))).toEqual([]);
    }
    expect(svgTexts(svg)).toContain('<script>alert(1)</script>');
    expect(elements[0]!.attributes['aria-label']).toBe('Заголовок "с" <b>разметкой</b>');
  });

  it('when the rows are many, then the bars lie along the page and the picture grows by a row each', () => {
    const labels = Array.from({ length: 20 }, (_, i) => `Организация ${i + 1}`);
    const svg = barChart({ id: 'many', title: 'Много', labels, values: labels.map((_, i) => i * 10), seriesName: 'x' });
    const [, , , height] = parseSvg(svg)[0]!.attributes.viewBox!.split(' ').map(Number);
    expect(height).toBeGreaterThan(20 * 20);
    expect(svgTexts(svg)).toEqual(expect.arrayContaining(['Организация 1', 'Организация 20', '190']));
    expect(svgDataItems(svg).get(0)).toBe(20);
  });

  it('when stacked bars are drawn, then each series has a bar per category and empty parts carry no label', () => {
    const svg = stackedBarChart({
      id: 'cards',
      title: 'Карты по статусам',
      labels: ['Кировская', 'Пермская', 'Тверская'],
      series: [
        { name: 'Выдана', values: [1200, 0, 30] },
        { name: 'Доставлена в регион', values: [15, 7, 0] },
      ],
    });
    expect(svgDataItems(svg)).toEqual(
      new Map([
        [0, 3],
        [1, 3],
      ]),
    );
    expect(svgTexts(svg)).toEqual(expect.arrayContaining(['Выдана', 'Доставлена в регион']));
    const onBars = parseSvg(svg).filter((element) => element.name === 'text' && element.attributes.fill === '#fff');
    expect(onBars.map((label) => label.text.replace(/\u00a0/g, ' '))).toEqual(['1 200', '30', '15', '7']);
  });

  it('when a line is drawn, then it has a point and a label per month', () => {
    const svg = lineChart({
      id: 'members',
      title: 'Члены на учёте',
      labels: ['01.2026', '02.2026', '03.2026'],
      series: [{ name: 'На учёте', values: [1500, 1520, 1490] }],
    });
    expect(svgDataItems(svg).get(0)).toBe(3);
    expect(svgTexts(svg)).toEqual(expect.arrayContaining(['01.2026', '03.2026', '1 500', '1 520', '1 490']));
    const clip = parseSvg(svg).find((element) => element.name === 'clipPath');
    expect(clip?.attributes.id).toBe('members-c0');
  });

  it('when a pyramid is drawn, then men go left, women right, and each bar is labelled with its own count', () => {
    const svg = pyramidChart({
      id: 'pyramid',
      title: 'Пол и возраст',
      bands: ['до 35', '36–50', '51–60', '61 и старше'],
      left: { name: 'Мужчины', values: [3, 4, 2, 1] },
      right: { name: 'Женщины', values: [9, 12, 8, 5] },
    });
    const bars = parseSvg(svg).filter((element) => element.attributes['data-series'] !== undefined);
    expect(bars).toHaveLength(8);
    // a left bar's path runs leftwards from the axis (`l-…`), a right one rightwards
    expect(
      bars.filter((bar) => bar.attributes['data-series'] === '0').every((bar) => /l-/.test(bar.attributes.d!)),
    ).toBe(true);
    expect(svgTexts(svg)).toEqual(expect.arrayContaining(['Мужчины', 'Женщины', '61 и старше', '3', '12', '5']));
    expect(svgTexts(svg).some((text) => text.startsWith('-'))).toBe(false);
  });
});

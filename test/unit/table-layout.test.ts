import { describe, expect, it } from 'vitest';
import { layoutTable } from '../../src/reports/render/table-layout';

// Widths in characters: each letter is 1 wide, a header letter 1 too; 2 of padding per cell.
const m = { body: (t: string) => t.length, head: (t: string) => t.length, padding: 2, comfort: 20 };
const page = { portrait: 60, landscape: 90 };

describe('column widths from the content', () => {
  it('no column is narrower than its longest word; the main text column takes the rest of a portrait page', () => {
    const layout = layoutTable(
      [
        { header: 'Название', cells: ['Первичная организация школы', 'ППО'] },
        { header: 'ИНПО', cells: ['1600000069', '1600000070'] },
        { header: 'Подписан', cells: ['15.03.2025', ''] },
      ],
      m,
      page,
    );
    expect(layout).toEqual({ widths: [60 - 12 - 12, 12, 12], wraps: [true, false, false], landscape: false, scale: 1 });
  });

  it('a wrapping column other than the main one gets its longest word, then its share of the room left', () => {
    const layout = layoutTable(
      [
        { header: 'Название', cells: ['Первичная профсоюзная организация средней школы'] },
        { header: 'Тип', cells: ['общеобразовательная организация'] },
      ],
      m,
      { portrait: 60, landscape: 90 },
    );
    // minimums: the name at comfort (20 + 2), the type at its longest word (19 + 2); 17 left, shared by what each lacks
    const [name, type] = layout.widths as [number, number];
    expect(type).toBeGreaterThanOrEqual(21);
    expect(name + type).toBeCloseTo(60);
    expect(layout.landscape).toBe(false);
  });

  it('columns that do not fit portrait go landscape; those too wide even for that shrink as a whole', () => {
    const wide = Array.from({ length: 6 }, (_, i) => ({ header: `К${i}`, cells: ['01.01.2026'] })); // 6 × 12 = 72
    expect(layoutTable(wide, m, page)).toMatchObject({ landscape: true, scale: 1 });
    const wider = Array.from({ length: 9 }, (_, i) => ({ header: `К${i}`, cells: ['01.01.2026'] })); // 9 × 12 = 108
    expect(layoutTable(wider, m, page)).toEqual({
      widths: Array(9).fill(12),
      wraps: Array(9).fill(false),
      landscape: true,
      scale: 90 / 108,
    });
  });

  it('text under several columns widens them to a comfortable width together', () => {
    const layout = layoutTable(
      [
        { header: '№', cells: ['01'] },
        { header: 'Показатель', cells: ['Срок действия договора'] },
        { header: 'Значение', cells: ['1'] },
      ],
      m,
      page,
      [{ columns: [2], texts: ['подписан 15.03.2025, действует с 01.04.2025 по 31.12.2027'] }],
    );
    expect(layout.widths[2]).toBe(22);
    expect(layout.widths.reduce((s, w) => s + w, 0)).toBeCloseTo(60);
  });

  it('the value columns of a form share one width, the widest they need', () => {
    const layout = layoutTable(
      [
        { header: '№', cells: ['01'] },
        { header: 'Показатель', cells: ['Членов Профсоюза всего'] },
        { header: 'Всего', cells: ['40000000'] },
        { header: 'Женщины', cells: ['12'] },
      ],
      m,
      page,
      [{ columns: [2, 3], texts: [] }],
    );
    expect(layout.widths.slice(2)).toEqual([10, 10]);
  });
});

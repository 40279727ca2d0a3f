import { describe, expect, it } from 'vitest';
import { bandOf } from '../../src/monitoring/bands';

describe('the coverage bands of the monitoring', () => {
  it('when a percentage is on or just over a threshold, then it falls in the band of «over» that threshold only above it', () => {
    const cases: [number | null, string | null][] = [
      [109.3, 'over-90'],
      [90.1, 'over-90'],
      [90, 'over-70'],
      [70.1, 'over-70'],
      [70, 'over-50'],
      [50.1, 'over-50'],
      [50, 'over-20'],
      [20.1, 'over-20'],
      [20, 'under-20'],
      [0, 'under-20'],
      [null, null],
    ];
    for (const [percent, key] of cases) expect([percent, bandOf(percent)?.key ?? null]).toEqual([percent, key]);
  });

  it('when a band is shown, then it carries a text besides its colour class', () => {
    const band = bandOf(95)!;
    expect(band.label).toBe('более 90 %');
    expect(band.className).toBe('table-success');
    expect(bandOf(12)!.label).toBe('20 % и менее');
  });
});

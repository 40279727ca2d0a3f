import { describe, expect, it } from 'vitest';
import { experienceDays, experienceText } from '../../src/officers/experience';

// The work experience in the union of a personnel file: every day of the periods once, up to today.

describe('the union experience of an officer', () => {
  it('when two posts overlap, then their common days count once; a gap is not counted', () => {
    const days = experienceDays(
      [
        { from: '2020-01-01', to: '2020-01-10' },
        { from: '2020-01-05', to: '2020-01-20' },
        { from: '2020-02-01', to: '2020-02-01' },
      ],
      '2026-01-01',
    );
    expect(days).toBe(20 + 1);
  });

  it('when a period is open or ends after today, then it counts up to today; one not begun counts nothing', () => {
    expect(experienceDays([{ from: '2025-12-30', to: null }], '2026-01-01')).toBe(3);
    expect(experienceDays([{ from: '2025-12-30', to: '2027-01-01' }], '2026-01-01')).toBe(3);
    expect(experienceDays([{ from: '2026-02-01', to: null }], '2026-01-01')).toBe(0);
  });

  it('when days are told, then in years and months with Russian plurals', () => {
    expect(experienceText(experienceDays([{ from: '2015-03-01', to: '2026-06-15' }], '2026-11-29'))).toBe(
      '11 лет 3 месяца',
    );
    expect(experienceText(experienceDays([{ from: '2025-01-01', to: '2026-01-31' }], '2026-11-29'))).toBe(
      '1 год 1 месяц',
    );
    expect(experienceText(10)).toBe('меньше месяца');
  });
});

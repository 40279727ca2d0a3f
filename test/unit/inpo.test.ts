import { describe, expect, it } from 'vitest';
import { isValidInpo, luhnCheckDigit, makeInpo } from '../../src/shared/inpo';

describe('ИНПО', () => {
  it('when built from a region and a number, then it is 10 digits with the region first and a Luhn check digit last', () => {
    const inpo = makeInpo(16, 28);
    expect(inpo).toMatch(/^16\d{8}$/);
    expect(inpo.slice(2, 9)).toBe('0000028');
    expect(isValidInpo(inpo)).toBe(true);
  });

  it('when one digit is mistyped or two neighbours swapped, then the check digit catches it', () => {
    const inpo = makeInpo(52, 1234567);
    for (let i = 0; i < 10; i++) {
      const digit = (Number(inpo[i]) + 1) % 10;
      expect(isValidInpo(inpo.slice(0, i) + digit + inpo.slice(i + 1))).toBe(false);
    }
    const swapped = inpo.slice(0, 3) + inpo[4] + inpo[3] + inpo.slice(5);
    if (swapped !== inpo) expect(isValidInpo(swapped)).toBe(false);
  });

  it('when the Luhn digit is computed for a known value, then it matches the textbook example', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3);
  });

  it('when the region or number is out of range, then it refuses', () => {
    expect(() => makeInpo(100, 1)).toThrow(RangeError);
    expect(() => makeInpo(1, 0)).toThrow(RangeError);
    expect(() => makeInpo(1, 10_000_000)).toThrow(RangeError);
  });
});

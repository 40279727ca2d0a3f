import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidInn, isValidSnils, normalizeRussianPhone, parseDateInput } from '../../src/shared/fields';

// Known numbers: the SNILS of the Pension Fund's own example, Sberbank's INN, the tax service's example
// of a person's INN; the others were worked out by hand for each branch of the checksum.

describe('SNILS', () => {
  it('when the check number is the weighted sum below 100, then it is valid, and any other check number is not', () => {
    expect(isValidSnils('11223344595')).toBe(true); // 1·9 + 1·8 + 2·7 + 2·6 + 3·5 + 3·4 + 4·3 + 4·2 + 5·1 = 95
    expect(isValidSnils('11223344594')).toBe(false);
    expect(isValidSnils('11223344559')).toBe(false);
  });

  it('when the sum is 100 or 101, then the check number is 00', () => {
    expect(isValidSnils('00132667900')).toBe(true); // sum 100
    expect(isValidSnils('00150881600')).toBe(true); // sum 101
    expect(isValidSnils('00132667999')).toBe(false);
  });

  it('when the sum is over 101, then the check number is its remainder of 101, with 100 read as 00', () => {
    expect(isValidSnils('12345678964')).toBe(true); // 165 mod 101 = 64
    expect(isValidSnils('00599888913')).toBe(true); // 215 mod 101 = 13
    expect(isValidSnils('01799617400')).toBe(true); // 201 mod 101 = 100 → 00
    expect(isValidSnils('99999999901')).toBe(true); // 405 mod 101 = 1
    expect(isValidSnils('12345678965')).toBe(false);
  });

  it('when the number is 001-001-998 or below, then it carries no checksum and any check number passes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_001_998 }), fc.integer({ min: 0, max: 99 }), (body, check) => {
        expect(isValidSnils(`${String(body).padStart(9, '0')}${String(check).padStart(2, '0')}`)).toBe(true);
      }),
    );
    expect(isValidSnils('00100199900')).toBe(false); // 001-001-999 is the first number with a checksum (sum 65)
    expect(isValidSnils('00100199965')).toBe(true);
  });

  it('when the value is not exactly 11 digits, then it is refused (separators are removed by the field, not here)', () => {
    for (const value of ['', '1122334459', '112233445950', '112-233-445 95', '1122334459a', '１１２２３３４４５９５'])
      expect(isValidSnils(value), value).toBe(false);
  });
});

describe('INN', () => {
  it('when an organization’s 10-digit INN has the right check digit, then it is valid, and a changed digit is caught', () => {
    expect(isValidInn('7707083893')).toBe(true);
    expect(isValidInn('7830002293')).toBe(true);
    expect(isValidInn('7707083894')).toBe(false);
    expect(isValidInn('7707083839')).toBe(false); // two digits swapped
  });

  it('when a person’s 12-digit INN has both check digits right, then it is valid; either one wrong, it is not', () => {
    expect(isValidInn('500100732259')).toBe(true);
    expect(isValidInn('500100732258')).toBe(false);
    expect(isValidInn('500100732269')).toBe(false);
  });

  it('when any single digit of a valid 10-digit INN changes, then the check digit catches it', () => {
    for (let position = 0; position < 10; position++) {
      for (let delta = 1; delta <= 9; delta++) {
        const digits = '7707083893'.split('').map(Number);
        digits[position] = (digits[position]! + delta) % 10;
        expect(isValidInn(digits.join('')), digits.join('')).toBe(false);
      }
    }
  });

  it('when the value has another length or a non-digit, then it is refused', () => {
    for (const value of ['', '770708389', '77070838930', '7707O83893', ' 7707083893', '5001007322590'])
      expect(isValidInn(value), value).toBe(false);
  });
});

describe('dates and phones as typed', () => {
  it('when a date is typed as ДД.ММ.ГГГГ or comes from a date input, then it becomes YYYY-MM-DD if the day exists', () => {
    expect(parseDateInput('29.02.2024')).toBe('2024-02-29');
    expect(parseDateInput('2024-02-29')).toBe('2024-02-29');
    for (const value of [
      '29.02.2023',
      '31.04.2024',
      '2024-13-01',
      '1.2.2024',
      '01.01.1899',
      '01.01.2101',
      '2024/01/01',
    ])
      expect(parseDateInput(value), value).toBeNull();
  });

  it('when a Russian phone is typed with 8, 7 or +7 and separators, then it becomes +7 and ten digits', () => {
    for (const value of ['8 917 222-33-44', '+7 (917) 222-33-44', '79172223344', '9172223344', '917.222.33.44'])
      expect(normalizeRussianPhone(value), value).toBe('+79172223344');
    for (const value of ['917 222-33-4', '+1 917 222 33 44', '8 917 222-33-445', 'телефон'])
      expect(normalizeRussianPhone(value), value).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { passwordProblem } from '../../src/auth/password';
import { pathWithin } from '../../src/shared/org-paths';
import { formatDate, formatNumber, plural } from '../../src/shared/format';

describe('Russian formats', () => {
  it('when a date is shown, then it reads ДД.ММ.ГГГГ', () => {
    expect(formatDate('2026-01-01')).toBe('01.01.2026');
    expect(formatDate(new Date('2025-12-31T22:30:00Z'))).toBe('01.01.2026'); // Moscow is UTC+3
    expect(formatDate(null)).toBe('');
  });

  it('when a number is shown, then thousands are separated by a (narrow) space and decimals by a comma', () => {
    expect(formatNumber(3910407).replace(/\s/g, ' ')).toBe('3 910 407');
    expect(formatNumber(109.27)).toBe('109,27');
  });

  it('when a count is spelled out, then the Russian plural form fits', () => {
    const forms = ['член', 'члена', 'членов'] as const;
    expect([1, 2, 5, 11, 21, 22, 25].map((n) => plural(n, forms))).toEqual([
      'член',
      'члена',
      'членов',
      'членов',
      'член',
      'члена',
      'членов',
    ]);
  });
});

describe('password policy', () => {
  it.each([
    ['short', 'коротко'],
    ['a common word', 'password'],
    ['a union word with digits', 'профсоюз2026'],
    ['the username inside', 'ivanov-secret-1'],
    ['one repeated character', 'аааааааааа'],
  ])('when the password is %s, then it is refused with a Russian reason', (_case, password) => {
    expect(passwordProblem(password, 'ivanov')).toMatch(/[А-Яа-я]/);
  });

  it('when the password is a long Cyrillic passphrase, then it is accepted', () => {
    expect(passwordProblem('зимой и летом стройная зелёная была', 'ivanov')).toBeNull();
  });
});

describe('subtree paths', () => {
  it('when paths are compared, then only real descendants count (1.5 does not contain 1.50)', () => {
    expect(pathWithin('1.5.23', '1.5')).toBe(true);
    expect(pathWithin('1.5', '1.5')).toBe(true);
    expect(pathWithin('1.50', '1.5')).toBe(false);
    expect(pathWithin('1', '1.5')).toBe(false);
  });
});

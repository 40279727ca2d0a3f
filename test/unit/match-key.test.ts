import { describe, expect, it } from 'vitest';
import { containsPattern, matchKey } from '../../src/shared/match-key';

// The database's twin is compared with this one in test/integration/name-matching.test.ts.

describe('matchKey', () => {
  it('when names differ only in case, ё/е, hyphens, quotes or spacing, then their keys are equal', () => {
    expect(matchKey('Ёжова')).toBe(matchKey('ежова'));
    expect(matchKey('Семёнова')).toBe('семенова');
    expect(matchKey('Петрова-Водкина')).toBe(matchKey(' петрова   водкина '));
    expect(matchKey('Петрова — Водкина')).toBe('петрова водкина');
    expect(matchKey('«Радуга» № 5')).toBe(matchKey('"радуга" №5'));
  });

  it('keeps the letters that are letters of their own: й is not и, ъ stays', () => {
    expect(matchKey('Майя')).not.toBe(matchKey('Маия'));
    expect(matchKey('Подъячев')).toBe('подъячев');
  });
});

describe('containsPattern', () => {
  it('when the fragment holds LIKE wildcards, then they are escaped; nothing but separators is no pattern', () => {
    expect(containsPattern('Школа 50%_')).toBe('%школа 50\\%\\_%');
    expect(containsPattern('Семё')).toBe('%семе%');
    expect(containsPattern(' - ')).toBeNull();
  });
});

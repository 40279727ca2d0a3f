import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/http/errors';
import { eventDates, fourteenthBirthday, since14, sinceCreation } from '../../src/shared/event-dates';

const rules = eventDates(31, () => '2026-11-29');

describe('event dates', () => {
  it('when a person was born on 29 February, then they turn 14 on 1 March of a common year', () => {
    expect(fourteenthBirthday('2008-02-29')).toBe('2022-03-01');
    expect(fourteenthBirthday('1990-03-15')).toBe('2004-03-15');
  });

  it('when a date lies between the latest earliest bound and today plus the allowed days, then it fits, both ends included', () => {
    const bounds = [since14('1990-03-15'), sinceCreation('2010-01-01')];
    expect(rules.problem('2010-01-01', bounds)).toBeNull();
    expect(rules.problem('2026-12-30', bounds)).toBeNull();
  });

  it('when a date is too early or too late, then the message gives the allowed range and the binding reason in Russian', () => {
    const bounds = [since14('1990-03-15'), sinceCreation('2000-01-01')];
    expect(rules.problem('1901-01-01', bounds)).toBe(
      'Укажите дату с 15.03.2004 по 30.12.2026 (не раньше 14-летия, не позже чем через 31 день от сегодняшнего дня)',
    );
    expect(rules.problem('2100-12-31', [])).toBe(
      'Укажите дату не позже 30.12.2026 (не позже чем через 31 день от сегодняшнего дня)',
    );
    expect(eventDates(0, () => '2026-11-29').problem('2026-11-30', [])).toContain('не позже сегодняшнего дня');
  });

  it('when the earliest bound itself is still to come, then the message says so instead of giving an empty range', () => {
    expect(rules.problem('2026-11-29', [since14('2013-01-10')])).toBe(
      'Дата не может быть раньше 14-летия (10.01.2027), а она ещё не наступила',
    );
  });

  it('when a date is checked for a field, then the refusal is a field error; a report date still to come is refused', () => {
    expect(() => rules.check('on', '2100-01-01', [])).toThrow(ValidationError);
    const refusal = (() => {
      try {
        rules.checkPast('form', '2027-01-01', 'Дата отчёта');
      } catch (err) {
        return err;
      }
    })() as ValidationError;
    expect(refusal.fields).toEqual([{ field: 'form', message: 'Дата отчёта 01.01.2027 ещё не наступила' }]);
    expect(() => rules.checkPast('form', '2026-10-01', 'Дата отчёта')).not.toThrow();
  });
});

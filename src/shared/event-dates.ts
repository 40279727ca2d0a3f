import { ValidationError } from '../http/errors';
import { todayIso } from './dates';
import { formatDate, plural } from './format';

// One rule for the date of every event the registry records (admissions, transfers, exits, category
// changes, card moves, consents, restructuring, officers, headcounts): not before what must come first
// — the person's 14th birthday, the organization's creation, the previous event — and not after a near
// future (EVENT_DATE_MAX_FUTURE_DAYS). A transfer dated 2100 moved the card at once and its history in
// 2100, and refused every later exit; an admission in 1901 of a person born in 1990 counted in reports.

export const DEFAULT_MAX_FUTURE_DAYS = 31;

/** Something an event may not precede, and how the message names it ('14-летия', 'создания организации'). */
export interface EarliestBound {
  on: string | null | undefined;
  what: string;
}

export interface EventDates {
  readonly maxFutureDays: number;
  today(): string;
  /** The latest date an event may carry today. */
  latest(): string;
  /** The message for a date outside its range, or null when it fits. */
  problem(on: string, earliest: EarliestBound[]): string | null;
  /** Throws a ValidationError on `field` when the date is outside its range. */
  check(field: string, on: string, earliest: EarliestBound[]): void;
  /** Throws a ValidationError on `field` when the date (of a report: `what`) is still to come. */
  checkPast(field: string, on: string, what: string): void;
}

export function addDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The day a person turns 14 (the union's minimum age); 29 February gives 1 March. */
export function fourteenthBirthday(birthDate: string): string {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y + 14, m - 1, d)).toISOString().slice(0, 10);
}

export const since14 = (birthDate: string | null | undefined): EarliestBound => ({
  on: birthDate ? fourteenthBirthday(birthDate) : null,
  what: '14-летия',
});
export const sinceCreation = (createdOn: string | null | undefined): EarliestBound => ({
  on: createdOn,
  what: 'создания организации',
});
export const sinceLastEvent = (on: string | null | undefined): EarliestBound => ({ on, what: 'предыдущего события' });

export function eventDates(maxFutureDays = DEFAULT_MAX_FUTURE_DAYS, today: () => string = todayIso): EventDates {
  const latest = () => addDays(today(), maxFutureDays);
  const ahead = `${maxFutureDays} ${plural(maxFutureDays, ['день', 'дня', 'дней'])}`;

  function problem(on: string, earliest: EarliestBound[]): string | null {
    const binding = earliest
      .filter((b): b is { on: string; what: string } => !!b.on)
      .sort((a, b) => b.on.localeCompare(a.on))[0];
    const last = latest();
    if (on <= last && (!binding || on >= binding.on)) return null;
    const future = maxFutureDays ? `не позже чем через ${ahead} от сегодняшнего дня` : 'не позже сегодняшнего дня';
    if (!binding) return `Укажите дату не позже ${formatDate(last)} (${future})`;
    if (binding.on > last)
      return `Дата не может быть раньше ${binding.what} (${formatDate(binding.on)}), а она ещё не наступила`;
    return `Укажите дату с ${formatDate(binding.on)} по ${formatDate(last)} (не раньше ${binding.what}, ${future})`;
  }

  return {
    maxFutureDays,
    today,
    latest,
    problem,
    check(field, on, earliest) {
      const message = problem(on, earliest);
      if (message) throw new ValidationError([{ field, message }]);
    },
    checkPast(field, on, what) {
      if (on > today()) throw new ValidationError([{ field, message: `${what} ${formatDate(on)} ещё не наступила` }]);
    },
  };
}

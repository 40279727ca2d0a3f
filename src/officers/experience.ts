import { plural } from '../shared/format';

/** A period of work: from its first day to its last (none: to this day). */
export interface Period {
  from: string;
  to: string | null;
}

const DAY_MS = 86_400_000;
const dayNumber = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;

/**
 * Days of work in the union over all the periods — the posts held in the registry and the periods typed into
 * the file — each day counted once: two posts held at the same time (a chair who sits on the higher
 * committee) are one period of work, not two. A period that has not begun by `today` counts nothing.
 */
export function experienceDays(periods: Period[], today: string): number {
  const spans = periods
    .map((p) => [dayNumber(p.from), dayNumber(p.to && p.to < today ? p.to : today)] as const)
    .filter(([from, to]) => to >= from)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let current: [number, number] | null = null;
  for (const [from, to] of spans) {
    if (current && from <= current[1] + 1) current[1] = Math.max(current[1], to);
    else {
      if (current) total += current[1] - current[0] + 1;
      current = [from, to];
    }
  }
  if (current) total += current[1] - current[0] + 1;
  return total;
}

const DAYS_PER_MONTH = 365.25 / 12;

/** «7 лет 3 месяца» from days (a month being a twelfth of an average year). */
export function experienceText(days: number): string {
  const months = Math.floor(days / DAYS_PER_MONTH);
  const years = Math.floor(months / 12);
  const rest = months % 12;
  const parts = [
    years ? `${years} ${plural(years, ['год', 'года', 'лет'])}` : '',
    rest ? `${rest} ${plural(rest, ['месяц', 'месяца', 'месяцев'])}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(' ') : 'меньше месяца';
}

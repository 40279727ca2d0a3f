import type { FormDefinition } from './forms/form-schema';
import { todayIso } from '../shared/dates';

// Reporting dates are month-days of the form (01-01, 04-01, …). A report on a date covers the movement
// since the previous reporting date; an annual form (one date a year) covers the year before it.

const iso = (y: number, md: string) => `${String(y).padStart(4, '0')}-${md}`;

export function isReportingDate(def: FormDefinition, date: string): boolean {
  return def.reportingDates.includes(date.slice(5));
}

/** The previous reporting date strictly before `date`. */
export function periodStart(def: FormDefinition, date: string): string {
  const year = Number(date.slice(0, 4));
  const candidates = [year, year - 1]
    .flatMap((y) => def.reportingDates.map((md) => iso(y, md)))
    .filter((d) => d < date);
  return candidates.sort().at(-1) ?? iso(year - 1, date.slice(5));
}

/** The latest reporting date on or before `today`: what a chair is asked to file now. */
export function currentReportingDate(def: FormDefinition, today: string): string {
  const year = Number(today.slice(0, 4));
  const candidates = [year, year - 1]
    .flatMap((y) => def.reportingDates.map((md) => iso(y, md)))
    .filter((d) => d <= today);
  return candidates.sort().at(-1)!;
}

/** The first reporting date after `today`: the report a chair prepares next. */
export function nextReportingDate(def: FormDefinition, today: string): string {
  const year = Number(today.slice(0, 4));
  const candidates = [year, year + 1]
    .flatMap((y) => def.reportingDates.map((md) => iso(y, md)))
    .filter((d) => d > today);
  return candidates.sort()[0]!;
}

/** The last reporting dates up to `today`, newest first. */
export function recentReportingDates(def: FormDefinition, today: string, count = 4): string[] {
  const out: string[] = [];
  let d = currentReportingDate(def, today);
  while (out.length < count) {
    out.push(d);
    d = periodStart(def, d);
  }
  return out;
}

export function dueDate(def: FormDefinition, date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + def.dueDays);
  return d.toISOString().slice(0, 10);
}

export const isIsoDate = (s: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(s) &&
  !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) &&
  new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

/** The registry holds nothing before the union's records went digital; no report is asked for before this. */
export const FIRST_REPORT_DATE = '1990-01-01';

/**
 * A report date from a URL or a form: a real day from 1990 to a year from today. Other days name no
 * report, and the far ones break the date arithmetic in SQL (the period before 0001-01-01 is in year 0).
 */
export function isReportDate(s: string, today = todayIso()): boolean {
  const yearAhead = `${String(Number(today.slice(0, 4)) + 1)}${today.slice(4)}`;
  return isIsoDate(s) && s >= FIRST_REPORT_DATE && s <= yearAhead;
}

export const REPORT_DATE_MESSAGE =
  'Отчёт на такую дату не составляется: укажите дату не раньше 01.01.1990 и не позже чем через год от сегодняшней';

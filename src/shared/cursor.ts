import { NUL } from './nul';
import { INT4_MAX } from './numbers';

/** Keyset pagination cursors: the last row's sort values, opaque in the URL. */
export type Cursor = (string | number)[];

/**
 * The PostgreSQL type of each sort column. The cursor comes back from the URL, so each value is checked
 * against its column's type: a forged cursor must restart the list, not fail the query (22P02, 22007, 22021).
 */
export type CursorPart = 'text' | 'date' | 'integer' | 'bigint';

const MAX_TEXT = 1000;

const FITS: Record<CursorPart, (value: unknown) => boolean> = {
  text: (v) => typeof v === 'string' && v.length <= MAX_TEXT && !v.includes(NUL),
  date: (v) => typeof v === 'string' && isCalendarDate(v),
  integer: (v) => Number.isSafeInteger(v) && Math.abs(v as number) <= INT4_MAX,
  bigint: (v) => Number.isSafeInteger(v),
};

/** 'YYYY-MM-DD' of a day that exists, years 1–9999 (PostgreSQL has no year 0). */
function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m || m[1] === '0000') return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

export function encodeCursor(values: Cursor): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** The cursor's values when it is well-formed and each value fits its column, else null (a bad cursor restarts the list). */
export function decodeCursor(value: string | undefined, parts: readonly CursorPart[]): Cursor | null {
  if (!value) return null;
  try {
    const values = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown;
    return Array.isArray(values) && values.length === parts.length && parts.every((part, i) => FITS[part](values[i]))
      ? (values as Cursor)
      : null;
  } catch {
    return null;
  }
}

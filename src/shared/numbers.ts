// Numbers typed by people or carried in URLs. JavaScript's Number() reads far too much as a number:
// Number('0x10') is 16, Number('1e3') 1000, Number('') and Number(' ') 0, and a number past 2^53 is rounded.
// Here a number is optional minus and decimal digits, nothing else, and it must be exact.

/** The largest value of a PostgreSQL `integer` column (ids of organizations, officers, reports, form versions). */
export const INT4_MAX = 2_147_483_647;

/** '-12' → -12; '0x10', '1e3', '1.0', '', ' 1', '+1' → null; beyond ±(2^53 − 1) → null. */
export function parseInteger(value: unknown): number | null {
  if (typeof value !== 'string' || !/^-?\d{1,16}$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

/** A row id from a URL or a form: a positive integer up to `max` (the column's type), else null. */
export function parseId(value: unknown, max = Number.MAX_SAFE_INTEGER): number | null {
  const n = parseInteger(value);
  return n !== null && n > 0 && n <= max ? n : null;
}

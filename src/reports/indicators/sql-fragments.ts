// SQL pieces shared by the indicator queries.

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
declare const checked: unique symbol;
/** A date literal made by sqlDate, the only text a query inlines: the helpers below take nothing else. */
export type SqlDate = string & { readonly [checked]: 'SqlDate' };

/** Dates are validated and inlined as literals (they appear many times in a query). */
export function sqlDate(iso: string): SqlDate {
  if (!ISO_DATE.test(iso)) throw new Error(`not an ISO date: ${iso}`);
  return `'${iso}'::date` as SqlDate;
}

/** A date column of the query itself (`alias.column`), for the helpers to compare row by row; never a value from outside. */
export function sqlDateColumn(column: string): SqlDate {
  if (!/^[a-z_]+\.[a-z_]+$/.test(column)) throw new Error(`not a column reference: ${column}`);
  return column as SqlDate;
}

export const existsOn = (alias: string, d: SqlDate) =>
  `${alias}.created_on <= ${d} AND (${alias}.liquidated_on IS NULL OR ${alias}.liquidated_on > ${d})`;
export const periodOn = (alias: string, d: SqlDate) =>
  `${alias}.valid_from <= ${d} AND (${alias}.valid_to IS NULL OR ${alias}.valid_to > ${d})`;

/** Whether a collective agreement row (alias) is in force on d: concluded and d within its term. */
export const agreementActiveOn = (ca: string, d: SqlDate) =>
  `coalesce(${ca}.status IN ('active','expired') AND ${ca}.valid_from <= ${d} AND ${ca}.valid_to >= ${d}, false)`;

/** A list of the application's own constants as SQL literals, for `IN (…)` (a quote is doubled, though none has one). */
export const sqlList = (values: readonly string[]) => values.map((v) => `'${v.replaceAll("'", "''")}'`).join(',');

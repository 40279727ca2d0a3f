import type { Knex } from 'knex';
import { sqlDate } from './indicators/sql-fragments';
import { rootsOn, under, type RootOnDate } from './indicators/tree-on-date';

/** The primary form a ППО files unless its passport names another (the partial index leaves these out). */
export const DEFAULT_FORM = '5-SP';

/** The ППО of the subtree on a date that file one of these forms (other than the default: a partial index holds them). */
export async function ppoOnForms(
  db: Knex,
  { id, date, frame }: RootOnDate,
  codes: string[],
): Promise<{ id: number; form: string }[]> {
  const d = sqlDate(date);
  const { rows } = await db.raw(
    `${rootsOn(frame, d)} SELECT o.id, o.primary_form AS form FROM roots r ${under(frame, 'o', d)}
        AND o.level = 'primary' AND o.primary_form <> '${DEFAULT_FORM}' AND o.primary_form = ANY(?::text[])`,
    [[id], codes],
  );
  return rows.map((r: { id: number; form: string }) => ({ id: Number(r.id), form: r.form }));
}

import type { Knex } from 'knex';
import type { CompiledForm } from './forms/compile';
import { countsOwnUnits } from './forms/forms.repo';
import { missingHeadcounts, officersWithoutPerson, orgsOfGap } from './indicators/behind';
import { INDICATORS } from './indicators/catalog';
import type { ColumnValues } from './indicators/engine';
import { readEach, type RowsQuery } from './indicators/rows-query';
import type { RootOnDate } from './indicators/tree-on-date';

// The data a report lacks, and the organizations that lack it. The lists are reads of their own, which a
// ППО's report sends in the statement of its figures (report-builder.ts).

/** Data the report lacks, with the organizations that lack it (the first ones; `total` of them). */
export interface DataGap {
  message: string;
  orgs: { inpo: string; name: string }[];
  total: number;
}

export type GapList = 'headcounts' | 'officers';
export type GapRows = Partial<Record<GapList, Record<string, unknown>[]>>;

/** The indicators read from the passports' headcounts (directly, or as the employees an agreement covers). */
const HEADCOUNT_INDICATORS = [
  'staff_total',
  'staff_ped',
  'students_total',
  'agreement_staff_total',
  'agreement_staff_covered',
];

/**
 * The lists a form's gaps read in the subtree on its date. `headcounts`: the registry's headcount gaps (not
 * for a consolidation from filed reports, which names the filed children's gaps instead).
 */
export function gapReads(
  form: CompiledForm,
  root: RootOnDate,
  headcounts: boolean,
): Partial<Record<GapList, RowsQuery>> {
  const reads: Partial<Record<GapList, RowsQuery>> = {};
  if (headcounts && HEADCOUNT_INDICATORS.some((n) => form.indicators.has(n)))
    reads.headcounts = missingHeadcounts(root, 20, countsOwnUnits(form.def));
  if ([...form.indicators].some((n) => INDICATORS[n]?.group === 'officers'))
    reads.officers = officersWithoutPerson(root);
  return reads;
}

/** The gaps of a report from the rows of its gapReads and its figures. */
export function gapsOf(form: CompiledForm, rows: GapRows, values: Record<string, ColumnValues>): DataGap[] {
  const gaps: DataGap[] = rows.headcounts ? headcountGap(rows.headcounts) : [];
  const officers = rows.officers && orgsOfGap(rows.officers);
  if (officers?.total)
    gaps.push({
      message:
        'Выборные лица без персоны (не выбраны из карточек членов Профсоюза и не внесены по СНИЛС; «Указать человека» на вкладке «Председатель и выборные»): пол и возраст неизвестны, в графах «женщины» и «молодёжь» строк о выборных лицах они не учтены',
      ...officers,
    });
  if (form.indicators.has('institutions_total') && values.institutions_total?.total == null) {
    gaps.push({
      message:
        'Не указано число образовательных организаций на территории (вкладка «Численность» паспорта территориальной организации)',
      orgs: [],
      total: 0,
    });
  }
  return gaps;
}

/**
 * The ППО of the subtree without a headcount on the date: their lines print «—», never 0. `own`: a primary
 * form reads its own units only (a ППО with territorial rights does not answer for its child ППО).
 */
export async function headcountGaps(db: Knex, root: RootOnDate, own: boolean): Promise<DataGap[]> {
  return headcountGap((await readEach(db, { list: missingHeadcounts(root, 20, own) })).list!);
}

function headcountGap(rows: Record<string, unknown>[]): DataGap[] {
  const missing = orgsOfGap(rows);
  return missing.total
    ? [
        {
          message:
            'Нет численности работников и обучающихся на дату отчёта (вкладка «Численность» паспорта): охват по этим организациям не посчитан',
          ...missing,
        },
      ]
    : [];
}

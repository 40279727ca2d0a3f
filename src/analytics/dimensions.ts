// What a cross-table of members may be cut by, with the names of each dimension's values in Russian and the
// order they are listed in (the bands youngest first, the categories in the forms' order). The SQL of each
// dimension is in analytics.repo.ts.
import { CATEGORIES, CATEGORY_LABELS, type Category } from '../membership/membership';
import { PROFESSIONAL_GROUPS } from '../members/professional-groups';
import { EMPLOYER_KINDS, EMPLOYER_KIND_LABELS, type EmployerKind } from '../registry/levels';

export const DIMENSIONS = ['sex', 'age', 'category', 'pedagogical', 'group', 'tenure', 'employer', 'child'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export const DIMENSION_LABELS: Record<Dimension, string> = {
  sex: 'Пол',
  age: 'Возраст',
  category: 'Категория',
  pedagogical: 'Педагогическая должность',
  group: 'Профессиональная группа',
  tenure: 'Стаж в Профсоюзе',
  employer: 'Вид работодателя',
  child: 'Входящая организация',
};

/** What the cells show besides the counts: a share of the row's, the column's or the whole table's total. */
export const SHARES = ['count', 'row', 'column', 'total'] as const;
export type Share = (typeof SHARES)[number];
export const SHARE_LABELS: Record<Share, string> = {
  count: 'Только численность',
  row: '% от итога строки',
  column: '% от итога столбца',
  total: '% от общего итога',
};

/** The union's usual age bands: up to 35 (the youth), 36–50, 51–60, 61 and older — as upper bounds. */
export const DEFAULT_AGE_LIMITS = [35, 50, 60];
/** Tenure in the union: under a year, 1–4, 5–9, 10–19, 20 years and more — as the lower bounds after the first. */
export const TENURE_BOUNDS = [1, 5, 10, 20];
const TENURE_LABELS = ['менее 1 года', '1–4 года', '5–9 лет', '10–19 лет', '20 лет и более'];

export interface DimensionValue {
  key: string;
  label: string;
}

/** Age bands from their upper bounds: [35, 50, 60] → «до 35 лет», «36–50», «51–60», «61 и старше». */
export function ageBands(limits: number[]): DimensionValue[] {
  const bands = limits.map((limit, i) => ({
    key: String(i),
    label: i === 0 ? `до ${limit} лет` : `${limits[i - 1]! + 1}–${limit}`,
  }));
  return [...bands, { key: String(limits.length), label: `${limits.at(-1)! + 1} и старше` }];
}

/** The lower bounds after the first band, as the query counts (width_bucket): [35, 50, 60] → [36, 51, 61]. */
export const ageBounds = (limits: number[]) => limits.map((limit) => limit + 1);

const fixed = <K extends string>(keys: readonly K[], labels: Record<K, string>) =>
  keys.map((key) => ({ key, label: labels[key] }));

/**
 * The values a dimension lists, in order: every value of a closed list (an empty column is a figure too),
 * then whatever else the counts hold (a professional group typed by hand, a child organization).
 */
export function valuesOf(
  dimension: Dimension,
  found: string[],
  context: { ageLimits: number[]; childNames: Map<string, string> },
): DimensionValue[] {
  const closed = (values: DimensionValue[], missing: string) => [
    ...values,
    ...(found.includes('') ? [{ key: '', label: missing }] : []),
  ];
  switch (dimension) {
    case 'sex':
      return [
        { key: 'f', label: 'Женщины' },
        { key: 'm', label: 'Мужчины' },
      ];
    case 'age':
      return ageBands(context.ageLimits);
    case 'category':
      return fixed<Category>(CATEGORIES, CATEGORY_LABELS);
    case 'pedagogical':
      return [
        { key: 'true', label: 'Педагогическая' },
        { key: 'false', label: 'Не педагогическая' },
      ];
    case 'tenure':
      return TENURE_LABELS.map((label, i) => ({ key: String(i), label }));
    case 'employer':
      return closed(fixed<EmployerKind>(EMPLOYER_KINDS, EMPLOYER_KIND_LABELS), 'Не указан');
    case 'group':
      return closed(
        PROFESSIONAL_GROUPS.map((group) => ({ key: group, label: group })),
        'Не указана',
      );
    case 'child':
      return [
        ...[...context.childNames].map(([key, label]) => ({ key, label })),
        ...(found.includes('') ? [{ key: '', label: 'Состоят на учёте непосредственно' }] : []),
      ];
  }
}

import { CATEGORY_LABELS, CATEGORIES, type Category } from '../../membership/membership';
import { matchKey } from '../../shared/match-key';

/** Columns of the member import and export; headers match case-insensitively, synonyms included. */
export const MEMBER_COLUMNS = [
  { key: 'organizationInpo', header: 'ИНПО организации', synonyms: ['инпо'], hint: 'ИНПО вашей ППО, 10 цифр' },
  { key: 'surname', header: 'Фамилия', synonyms: [], hint: 'кириллицей' },
  { key: 'name', header: 'Имя', synonyms: [], hint: 'кириллицей' },
  { key: 'patronymic', header: 'Отчество', synonyms: [], hint: 'если есть' },
  { key: 'sex', header: 'Пол', synonyms: [], hint: 'ж или м' },
  { key: 'birthDate', header: 'Дата рождения', synonyms: [], hint: 'ДД.ММ.ГГГГ' },
  { key: 'category', header: 'Категория', synonyms: [], hint: 'из листа «Справочники»' },
  { key: 'isPedagogical', header: 'Педагогическая должность', synonyms: ['педагог'], hint: 'да или нет' },
  { key: 'position', header: 'Должность', synonyms: [], hint: 'необязательно' },
  { key: 'phone', header: 'Телефон', synonyms: [], hint: 'необязательно: +7 и 10 цифр' },
  { key: 'email', header: 'Электронная почта', synonyms: ['e-mail', 'email', 'эл. почта'], hint: 'необязательно' },
  { key: 'snils', header: 'СНИЛС', synonyms: [], hint: 'необязательно: 11 цифр' },
  { key: 'joinedOn', header: 'Дата вступления', synonyms: ['дата вступления в профсоюз'], hint: 'ДД.ММ.ГГГГ' },
] as const;
export type MemberColumnKey = (typeof MEMBER_COLUMNS)[number]['key'];
export const REQUIRED_MEMBER_COLUMNS: MemberColumnKey[] = [
  'organizationInpo',
  'surname',
  'name',
  'sex',
  'birthDate',
  'category',
  'joinedOn',
];

/**
 * The template's second row explains each column. It starts with this marker so that a template uploaded
 * unchanged imports nobody: the importer skips a row whose first cell carries it.
 */
export const HINT_ROW_MARKER = 'Подсказка (строка не загружается):';

/** The template's hint row: the marker, then what each column expects. */
export function hintRow(): string[] {
  return MEMBER_COLUMNS.map((c, i) => (i === 0 ? `${HINT_ROW_MARKER} ${c.hint}` : c.hint));
}

export function isHintRow(values: string[]): boolean {
  return (values[0] ?? '').startsWith(HINT_ROW_MARKER);
}

/** Headers and labels typed into a sheet are compared as names are (case, ё/е, spacing). */
const norm = matchKey;

/** Header row → column index per key; unknown headers are ignored. */
export function mapHeaders(headers: string[]): Map<MemberColumnKey, number> {
  const map = new Map<MemberColumnKey, number>();
  headers.forEach((h, i) => {
    const column = MEMBER_COLUMNS.find(
      (c) => norm(c.header) === norm(h) || c.synonyms.some((s) => norm(s) === norm(h)),
    );
    if (column && !map.has(column.key)) map.set(column.key, i);
  });
  return map;
}

export function sexFromSheet(value: string): 'm' | 'f' | undefined {
  const v = norm(value);
  if (['ж', 'жен', 'женский', 'f'].includes(v)) return 'f';
  if (['м', 'муж', 'мужской', 'm'].includes(v)) return 'm';
  return undefined;
}

export function categoryFromSheet(value: string): Category | undefined {
  const v = norm(value);
  const short: Record<string, Category> = {
    работающий: 'working',
    обучающийся: 'student',
    студент: 'student',
    пенсионер: 'pensioner',
    'неработающий пенсионер': 'pensioner',
    'временно не работающий': 'unemployed',
  };
  return short[v] ?? CATEGORIES.find((c) => norm(CATEGORY_LABELS[c]) === v);
}

export function yesNo(value: string): boolean | undefined {
  const v = norm(value);
  if (v === '' || v === 'нет' || v === '0') return false;
  if (v === 'да' || v === '1') return true;
  return undefined;
}

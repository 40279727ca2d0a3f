import { CATEGORY_LABELS, CATEGORIES, type Category } from '../../membership/membership';

/** Columns of the member import and export; headers match case-insensitively, synonyms included. */
export const MEMBER_COLUMNS = [
  { key: 'organizationInpo', header: 'ИНПО организации', synonyms: ['инпо'] },
  { key: 'surname', header: 'Фамилия', synonyms: [] },
  { key: 'name', header: 'Имя', synonyms: [] },
  { key: 'patronymic', header: 'Отчество', synonyms: [] },
  { key: 'sex', header: 'Пол', synonyms: [] },
  { key: 'birthDate', header: 'Дата рождения', synonyms: [] },
  { key: 'category', header: 'Категория', synonyms: [] },
  { key: 'isPedagogical', header: 'Педагогическая должность', synonyms: ['педагог'] },
  { key: 'position', header: 'Должность', synonyms: [] },
  { key: 'phone', header: 'Телефон', synonyms: [] },
  { key: 'email', header: 'Электронная почта', synonyms: ['e-mail', 'email', 'эл. почта'] },
  { key: 'snils', header: 'СНИЛС', synonyms: [] },
  { key: 'joinedOn', header: 'Дата вступления', synonyms: ['дата вступления в профсоюз'] },
] as const;
export type MemberColumnKey = (typeof MEMBER_COLUMNS)[number]['key'];
export const REQUIRED_MEMBER_COLUMNS: MemberColumnKey[] = ['organizationInpo', 'surname', 'name', 'sex', 'birthDate', 'category', 'joinedOn'];

const norm = (s: string) => s.trim().toLowerCase().replace(/ё/g, 'е').replace(/\s+/g, ' ');

/** Header row → column index per key; unknown headers are ignored. */
export function mapHeaders(headers: string[]): Map<MemberColumnKey, number> {
  const map = new Map<MemberColumnKey, number>();
  headers.forEach((h, i) => {
    const column = MEMBER_COLUMNS.find((c) => norm(c.header) === norm(h) || c.synonyms.some((s) => norm(s) === norm(h)));
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
  const short: Record<string, Category> = { работающий: 'working', обучающийся: 'student', студент: 'student', пенсионер: 'pensioner', 'неработающий пенсионер': 'pensioner', 'временно не работающий': 'unemployed' };
  return short[v] ?? CATEGORIES.find((c) => norm(CATEGORY_LABELS[c]) === v);
}

export function yesNo(value: string): boolean | undefined {
  const v = norm(value);
  if (v === '' || v === 'нет' || v === '0') return false;
  if (v === 'да' || v === '1') return true;
  return undefined;
}

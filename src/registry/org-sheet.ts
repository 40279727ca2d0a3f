import { matchKey } from '../shared/match-key';
import { EMPLOYER_KIND_LABELS, EMPLOYER_KINDS, type EmployerKind, type Level } from './levels';

/** The columns of the organizations workbook: the import template, the export and re-import share them. */
export const ORG_SHEET_COLUMNS = [
  { key: 'inpo', header: 'ИНПО', width: 14, hint: 'пусто — новая организация; заполнено — обновить существующую' },
  {
    key: 'parent',
    header: 'Вышестоящая организация',
    width: 22,
    hint: 'ИНПО или «строка N» для организации выше в этом файле',
  },
  {
    key: 'level',
    header: 'Уровень',
    width: 24,
    hint: 'Окружная, Территориальная, Первичная, Структурное подразделение, Профгруппа',
  },
  { key: 'name', header: 'Полное наименование', width: 60, hint: 'обязательно' },
  { key: 'shortName', header: 'Краткое наименование', width: 30, hint: '' },
  { key: 'employerKind', header: 'Тип работодателя', width: 34, hint: 'из списка на листе «Справочники»' },
  { key: 'employerInn', header: 'ИНН работодателя', width: 14, hint: '10 цифр' },
  { key: 'address', header: 'Адрес', width: 40, hint: '' },
  { key: 'phone', header: 'Телефон', width: 18, hint: '' },
  { key: 'email', header: 'Электронная почта', width: 26, hint: '' },
  { key: 'website', header: 'Сайт', width: 24, hint: '' },
  { key: 'territorialRights', header: 'Права территориальной', width: 14, hint: 'да / нет (только для ППО)' },
] as const;
export type OrgSheetKey = (typeof ORG_SHEET_COLUMNS)[number]['key'];

export const SHEET_LEVEL_LABELS: Record<Level, string> = {
  union: 'Профсоюз',
  regional: 'Региональная',
  okrug: 'Окружная',
  territorial: 'Территориальная',
  primary: 'Первичная',
  subdivision: 'Структурное подразделение',
  group: 'Профгруппа',
};

export function levelFromSheet(value: string): Level | undefined {
  const wanted = matchKey(value);
  return (Object.entries(SHEET_LEVEL_LABELS) as [Level, string][]).find(([, label]) => matchKey(label) === wanted)?.[0];
}

export function employerKindFromSheet(value: string): EmployerKind | undefined {
  const wanted = matchKey(value);
  return EMPLOYER_KINDS.find((k) => matchKey(EMPLOYER_KIND_LABELS[k]) === wanted);
}

export function yesNoFromSheet(value: string): boolean | undefined {
  const v = matchKey(value);
  if (v === '' || v === 'нет' || v === '0') return false;
  if (v === 'да' || v === '1') return true;
  return undefined;
}

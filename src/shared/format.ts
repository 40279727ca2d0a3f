import { dateTimeText, dayOf } from './dates';

const numberFormat = new Intl.NumberFormat('ru-RU');
const percentFormat = new Intl.NumberFormat('ru-RU', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** 'YYYY-MM-DD' (a DATE column) or an instant (its day in the union's time zone) → 'ДД.ММ.ГГГГ'. */
export function formatDate(value: string | Date | null | undefined): string {
  if (value == null) return '';
  const text = typeof value === 'string' ? value : dayOf(value);
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  return m ? `${m[3]}.${m[2]}.${m[1]}` : text;
}

/** A timestamp as users read it: the union's time zone, 'ДД.ММ.ГГГГ ЧЧ:ММ'. */
export function formatDateTime(value: Date | null | undefined): string {
  return value == null ? '' : dateTimeText(value);
}

export function formatNumber(value: number | null | undefined): string {
  return value == null ? '' : numberFormat.format(value);
}

export function formatPercent(value: number | null | undefined): string {
  return value == null ? '' : `${percentFormat.format(value)}\u00a0%`;
}

const pluralRules = new Intl.PluralRules('ru-RU');

/** plural(5, ['член', 'члена', 'членов']) → 'членов'. */
export function plural(n: number, forms: readonly [one: string, few: string, many: string]): string {
  const rule = pluralRules.select(n);
  return rule === 'one' ? forms[0] : rule === 'few' ? forms[1] : forms[2];
}

/** A person's full name as every page writes it: surname, name and patronymic when there is one. */
export function fullName(person: {
  surname?: string | null;
  name?: string | null;
  patronymic?: string | null;
}): string {
  return [person.surname, person.name, person.patronymic].filter(Boolean).join(' ');
}

/** A stored SNILS (11 digits) as it is printed on the card: '11223344595' → '112-233-445 95'; anything else as stored. */
export function formatSnils(value: string | null | undefined): string {
  if (value == null) return '';
  const m = /^(\d{3})(\d{3})(\d{3})(\d{2})$/.exec(value);
  return m ? `${m[1]}-${m[2]}-${m[3]} ${m[4]}` : value;
}

/** A stored phone (+7 and 10 digits) as people write it: '+79171234567' → '+7 (917) 123-45-67'; anything else as stored. */
export function formatPhone(value: string | null | undefined): string {
  if (value == null) return '';
  const m = /^\+7(\d{3})(\d{3})(\d{2})(\d{2})$/.exec(value);
  return m ? `+7 (${m[1]}) ${m[2]}-${m[3]}-${m[4]}` : value;
}

/** Latin letters of the forms' URL codes and the Cyrillic ones people know them by. */
const FORM_CODE_LETTERS: Record<string, string> = { S: 'С', P: 'П', K: 'К', D: 'Д', O: 'О' };

/** A form's code as people write it: the URL code '1-SP' → «1-СП», 'KDK-1' → «КДК-1», 'KDKO' → «КДКО»; other letters stay. */
export function formCodeLabel(code: string): string {
  return code.replace(/[A-Z]/g, (letter) => FORM_CODE_LETTERS[letter] ?? letter);
}

import { appTimeZone, dayOf } from './dates';

const numberFormat = new Intl.NumberFormat('ru-RU');
const percentFormat = new Intl.NumberFormat('ru-RU', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

// Built once per zone (the union's, see ./dates): an Intl formatter costs more to create than a page takes to render.
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
function dateTimeFormat(timeZone: string): Intl.DateTimeFormat {
  let format = dateTimeFormats.get(timeZone);
  if (!format) dateTimeFormats.set(timeZone, (format = new Intl.DateTimeFormat('ru-RU', { timeZone, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' })));
  return format;
}

/** 'YYYY-MM-DD' (a DATE column) or an instant (its day in the union's time zone) → 'ДД.ММ.ГГГГ'. */
export function formatDate(value: string | Date | null | undefined): string {
  if (value == null) return '';
  const text = typeof value === 'string' ? value : dayOf(value);
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  return m ? `${m[3]}.${m[2]}.${m[1]}` : text;
}

/** A timestamp as users read it: the union's time zone, 'ДД.ММ.ГГГГ ЧЧ:ММ'. */
export function formatDateTime(value: Date | null | undefined): string {
  if (value == null) return '';
  return dateTimeFormat(appTimeZone()).format(value).replace(',', '');
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

const numberFormat = new Intl.NumberFormat('ru-RU');
const percentFormat = new Intl.NumberFormat('ru-RU', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const moscowDate = new Intl.DateTimeFormat('ru-RU', { timeZone: 'Europe/Moscow', day: '2-digit', month: '2-digit', year: 'numeric' });
const moscowDateTime = new Intl.DateTimeFormat('ru-RU', {
  timeZone: 'Europe/Moscow', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit',
});

/** 'YYYY-MM-DD' (a DATE column) or a Date → 'ДД.ММ.ГГГГ'. */
export function formatDate(value: string | Date | null | undefined): string {
  if (value == null) return '';
  if (typeof value === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
    return m ? `${m[3]}.${m[2]}.${m[1]}` : value;
  }
  return moscowDate.format(value);
}

/** A timestamp as users read it: Moscow time, 'ДД.ММ.ГГГГ ЧЧ:ММ'. */
export function formatDateTime(value: Date | null | undefined): string {
  if (value == null) return '';
  return moscowDateTime.format(value).replace(',', '');
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

// Built once: an Intl formatter costs more to create than a page takes to render its dates.
const moscowDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Moscow', year: 'numeric', month: '2-digit', day: '2-digit' });

/** Today's date in Moscow (the union's reporting calendar) as 'YYYY-MM-DD'. */
export function todayIso(now: Date = new Date()): string {
  return moscowDay.format(now);
}

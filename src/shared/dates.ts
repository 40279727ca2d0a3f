// "Today" of the app is a day of the union's calendar: the time zone APP_TIME_ZONE (default Europe/Moscow),
// set once at start-up. Stored instants stay UTC; a day is taken from an instant only here (and in the
// database session, whose TimeZone is the same zone: src/db/knex.ts), so the UI, the downloads and SQL
// agree just after midnight too.

export const DEFAULT_TIME_ZONE = 'Europe/Moscow';

// Built once per zone: an Intl formatter costs more to create than a page takes to render its dates.
function formatsFor(timeZone: string) {
  return {
    timeZone,
    isoDay: new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }),
    /** The zone's wall-clock reading of an instant, to find its offset from UTC there. */
    wallClock: new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }),
    dateTime: new Intl.DateTimeFormat('ru-RU', {
      timeZone,
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    }),
  };
}

let formats = formatsFor(DEFAULT_TIME_ZONE);

/** Sets the union's time zone (config APP_TIME_ZONE, at start-up; tests of other zones). */
export function setAppTimeZone(timeZone: string): void {
  formats = formatsFor(timeZone);
}

export function appTimeZone(): string {
  return formats.timeZone;
}

/** The day of an instant in the union's time zone as 'YYYY-MM-DD'. */
export function dayOf(instant: Date): string {
  return formats.isoDay.format(instant);
}

/** Today's date in the union's time zone (its reporting calendar) as 'YYYY-MM-DD'. */
export function todayIso(now: Date = new Date()): string {
  return dayOf(now);
}

/** An instant as users read it, in the union's time zone: 'ДД.ММ.ГГГГ ЧЧ:ММ'. */
export function dateTimeText(instant: Date): string {
  return formats.dateTime.format(instant).replace(',', '');
}

function offsetMs(instant: number): number {
  const p = Object.fromEntries(
    formats.wallClock.formatToParts(new Date(instant)).map((x) => [x.type, Number(x.value)]),
  );
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - Math.floor(instant / 1000) * 1000;
}

/** The instant a day ('YYYY-MM-DD') begins in the union's time zone. */
export function startOfDay(iso: string): Date {
  const midnightUtc = Date.parse(`${iso}T00:00:00Z`);
  // twice: the offset at the day's start may differ from the offset at UTC midnight (a DST change in between)
  const first = midnightUtc - offsetMs(midnightUtc);
  return new Date(midnightUtc - offsetMs(first));
}

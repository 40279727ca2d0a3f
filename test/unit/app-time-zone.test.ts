import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { appTimeZone, dayOf, setAppTimeZone, startOfDay, todayIso } from '../../src/shared/dates';
import { formatDate, formatDateTime } from '../../src/shared/format';

// "Today" of the app is a day of the union's calendar (APP_TIME_ZONE), whatever the server's clock zone.

const JUST_AFTER_MOSCOW_MIDNIGHT = new Date('2026-11-28T21:38:00Z'); // 00:38 on 29.11 in Moscow

afterEach(() => setAppTimeZone('Europe/Moscow'));

describe('the app time zone', () => {
  it('is Europe/Moscow unless APP_TIME_ZONE names another IANA zone; a wrong name is a configuration error', () => {
    expect(loadConfig({}).timeZone).toBe('Europe/Moscow');
    expect(loadConfig({ APP_TIME_ZONE: 'Asia/Vladivostok' }).timeZone).toBe('Asia/Vladivostok');
    expect(() => loadConfig({ APP_TIME_ZONE: 'Europe/Mordor' })).toThrow(/^Configuration error: APP_TIME_ZONE: /);
    // an offset would mean the opposite in PostgreSQL (POSIX sign), and a quote would break its SET
    expect(() => loadConfig({ APP_TIME_ZONE: '+03:00' })).toThrow(/^Configuration error: APP_TIME_ZONE: /);
    expect(() => loadConfig({ APP_TIME_ZONE: "Europe/Moscow'" })).toThrow(/^Configuration error: APP_TIME_ZONE: /);
  });

  it('today, the day of an instant and the shown dates follow the configured zone', () => {
    expect(appTimeZone()).toBe('Europe/Moscow');
    expect(todayIso(JUST_AFTER_MOSCOW_MIDNIGHT)).toBe('2026-11-29');
    expect(dayOf(JUST_AFTER_MOSCOW_MIDNIGHT)).toBe('2026-11-29');
    expect(formatDate(JUST_AFTER_MOSCOW_MIDNIGHT)).toBe('29.11.2026');
    expect(formatDateTime(JUST_AFTER_MOSCOW_MIDNIGHT)).toBe('29.11.2026 00:38');

    setAppTimeZone('UTC');
    expect(todayIso(JUST_AFTER_MOSCOW_MIDNIGHT)).toBe('2026-11-28');
    expect(formatDate(JUST_AFTER_MOSCOW_MIDNIGHT)).toBe('28.11.2026');
    expect(formatDateTime(JUST_AFTER_MOSCOW_MIDNIGHT)).toBe('28.11.2026 21:38');

    setAppTimeZone('Asia/Vladivostok');
    expect(todayIso(new Date('2026-11-28T13:59:00Z'))).toBe('2026-11-28');
    expect(todayIso(new Date('2026-11-28T14:00:00Z'))).toBe('2026-11-29');
    // a DATE column's value is a calendar day already: no zone moves it
    expect(formatDate('2026-11-28')).toBe('28.11.2026');
  });
});

describe('the start of a day', () => {
  it("is midnight in the union's zone, as an instant", () => {
    expect(startOfDay('2026-11-29').toISOString()).toBe('2026-11-28T21:00:00.000Z');
    setAppTimeZone('Europe/Berlin'); // a DST zone: winter +01:00, summer +02:00
    expect(startOfDay('2026-01-15').toISOString()).toBe('2026-01-14T23:00:00.000Z');
    expect(startOfDay('2026-07-15').toISOString()).toBe('2026-07-14T22:00:00.000Z');
    expect(startOfDay('2026-03-29').toISOString()).toBe('2026-03-28T23:00:00.000Z'); // the day clocks go forward at 02:00
  });
});

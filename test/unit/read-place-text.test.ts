import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { LAG_SHOWN_ABOVE_SECONDS, lagText, readPlaceText } from '../../src/reports/read-place-text';
import { setAppTimeZone } from '../../src/shared/dates';

// What a report computed on the read replica says about its data: always its time, its lag past 5 s.

describe('the data time of a report read on the replica', () => {
  setAppTimeZone('Europe/Moscow');
  const dataAt = '2026-11-29T07:30:00.000Z'; // 10:30 in Moscow

  it('when the primary computed it, then nothing is said', () => {
    expect(readPlaceText(undefined)).toBeUndefined();
    expect(readPlaceText({ replica: false })).toBeUndefined();
  });

  it('when the replica is at most 5 s behind, then only its data time is stated', () => {
    expect(LAG_SHOWN_ABOVE_SECONDS).toBe(5);
    const text = readPlaceText({ replica: true, dataAt, lagSeconds: 5 });
    expect(text).toBe('Рассчитан по копии реестра (реплике) с данными на 29.11.2026 10:30');
  });

  it('when it is further behind, then the lag is stated with what the report misses', () => {
    expect(readPlaceText({ replica: true, dataAt, lagSeconds: 5.4 })).toBe(
      'Рассчитан по копии реестра (реплике) с данными на 29.11.2026 10:30: копия отстаёт на 5 с, изменения за это время в расчёт не вошли',
    );
    expect(readPlaceText({ replica: true, dataAt: undefined })).toContain('время её данных неизвестно');
  });

  it('when lags are long, then they read in minutes and hours', () => {
    expect([lagText(12), lagText(60), lagText(185), lagText(3600), lagText(7800)]).toEqual([
      '12 с',
      '1 мин',
      '3 мин 5 с',
      '1 ч',
      '2 ч 10 мин',
    ]);
  });
});

describe('REPLICA_DATABASE_URL', () => {
  it('when it is given with DATABASE_URL, then it is kept; without DATABASE_URL it is refused', () => {
    const url = 'postgres://owner:secret@standby:5432/reestr';
    expect(
      loadConfig({ DATABASE_URL: 'postgres://owner:secret@primary/reestr', REPLICA_DATABASE_URL: url })
        .replicaDatabaseUrl,
    ).toBe(url);
    expect(() => loadConfig({ REPLICA_DATABASE_URL: url })).toThrow(
      /REPLICA_DATABASE_URL: a standby follows a server named in DATABASE_URL/,
    );
    expect(() => loadConfig({ DATABASE_URL: 'postgres://o@p/r', REPLICA_DATABASE_URL: 'http://x' })).toThrow(
      /REPLICA_DATABASE_URL: must be a postgres/,
    );
  });
});

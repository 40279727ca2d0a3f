import { describe, expect, it } from 'vitest';
import type { FormDefinition } from '../../src/reports/forms/form-schema';
import {
  currentReportingDate,
  dueDate,
  isIsoDate,
  isReportDate,
  isReportingDate,
  periodStart,
  recentReportingDates,
} from '../../src/reports/periods';

const form = (reportingDates: string[], dueDays = 4) => ({ reportingDates, dueDays }) as FormDefinition;
const quarterly = form(['01-01', '04-01', '07-01', '10-01']);
const annual = form(['01-01'], 30);

describe('reporting periods', () => {
  it('when a date is one of the form’s month-days, then it is a reporting date in any year', () => {
    expect(isReportingDate(quarterly, '2025-04-01')).toBe(true);
    expect(isReportingDate(quarterly, '1999-10-01')).toBe(true);
    expect(isReportingDate(quarterly, '2025-04-02')).toBe(false);
    expect(isReportingDate(annual, '2025-04-01')).toBe(false);
  });

  it('when a quarterly report’s period is asked for, then it starts at the previous reporting date, across the new year too', () => {
    expect(periodStart(quarterly, '2025-04-01')).toBe('2025-01-01');
    expect(periodStart(quarterly, '2025-01-01')).toBe('2024-10-01');
    expect(periodStart(quarterly, '2025-05-15')).toBe('2025-04-01');
  });

  it('when an annual report’s period is asked for, then it is the year before', () => {
    expect(periodStart(annual, '2025-01-01')).toBe('2024-01-01');
  });

  it('when a chair opens reports on some day, then the latest reporting date on or before it is the one to file', () => {
    expect(currentReportingDate(quarterly, '2025-04-01')).toBe('2025-04-01');
    expect(currentReportingDate(quarterly, '2025-03-31')).toBe('2025-01-01');
    expect(currentReportingDate(annual, '2025-12-31')).toBe('2025-01-01');
  });

  it('when recent reporting dates are listed, then they go back newest first, over year boundaries', () => {
    expect(recentReportingDates(quarterly, '2025-05-10')).toEqual([
      '2025-04-01',
      '2025-01-01',
      '2024-10-01',
      '2024-07-01',
    ]);
    expect(recentReportingDates(annual, '2025-05-10', 3)).toEqual(['2025-01-01', '2024-01-01', '2023-01-01']);
  });

  it('when the due date is computed, then it is the reporting date plus the form’s days, over month ends and leap days', () => {
    expect(dueDate(quarterly, '2025-01-01')).toBe('2025-01-05');
    expect(dueDate(form(['02-26'], 4), '2024-02-26')).toBe('2024-03-01');
    expect(dueDate(annual, '2024-12-15')).toBe('2025-01-14');
  });

  it('when a date comes from a URL, then only real days from 1990 to a year from today name a report', () => {
    const today = '2026-11-29';
    expect(isReportDate('1990-01-01', today)).toBe(true);
    expect(isReportDate('2027-11-29', today)).toBe(true);
    for (const value of ['1989-12-31', '2027-11-30', '2025-02-29', '2025-13-01', '0001-01-01', '2025-1-01', 'today'])
      expect(isReportDate(value, today), value).toBe(false);
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import {
  addDaysToDate,
  CST_OFFSET_MS,
  chinaDateOf,
  chinaMonthOf,
  DAY_MS,
  endOfChinaDay,
  HOUR_MS,
  isoDate,
  startOfChinaDate,
  weekdayOf,
} from '#domain/china-time.ts';

const at = (iso: string): number => Date.parse(iso);

describe('CST constants', () => {
  it('returns an offset of exactly eight hours and a day of 24 hours', () => {
    // Assess
    expect(CST_OFFSET_MS).toBe(8 * 3_600_000);
    expect(HOUR_MS).toBe(3_600_000);
    expect(DAY_MS).toBe(86_400_000);
  });
});

describe('chinaDateOf', () => {
  it('returns Dec 1 for the last millisecond before 16:00Z on Dec 1 (23:59:59.999 CST)', () => {
    // Act
    const date = chinaDateOf(at('2026-12-01T15:59:59.999Z'));

    // Assess
    expect(date).toBe('2026-12-01');
  });

  it('returns Dec 2 from 16:00Z on Dec 1 (midnight CST)', () => {
    // Act
    const date = chinaDateOf(at('2026-12-01T16:00:00.000Z'));

    // Assess
    expect(date).toBe('2026-12-02');
  });

  it('returns the CST date, not the UTC date, for an instant early in the CST morning', () => {
    // Prepare: 2026-12-01 23:30 UTC is 2026-12-02 07:30 CST
    const instant = at('2026-12-01T23:30:00.000Z');

    // Act
    const date = chinaDateOf(instant);

    // Assess
    expect(date).toBe('2026-12-02');
    expect(new Date(instant).toISOString().slice(0, 10)).toBe('2026-12-01');
  });

  it('returns Jan 1 of the next year from 16:00Z on Dec 31', () => {
    // Assess
    expect(chinaDateOf(at('2026-12-31T15:59:59.999Z'))).toBe('2026-12-31');
    expect(chinaDateOf(at('2026-12-31T16:00:00.000Z'))).toBe('2027-01-01');
  });
});

describe('startOfChinaDate', () => {
  it('returns 16:00Z of the previous UTC day (00:00 CST)', () => {
    // Act
    const start = startOfChinaDate('2026-12-02');

    // Assess
    expect(new Date(start).toISOString()).toBe('2026-12-01T16:00:00.000Z');
  });

  it('returns an instant that chinaDateOf maps back to the same date', () => {
    // Prepare
    const dates = ['2026-01-01', '2026-02-28', '2028-02-29', '2026-12-31'];

    // Act
    const roundTrips = dates.map((d) => chinaDateOf(startOfChinaDate(d)));

    // Assess
    expect(roundTrips).toEqual(dates);
  });
});

describe('endOfChinaDay', () => {
  it('returns the last millisecond of Dec 1 CST for an instant in the CST morning of Dec 1', () => {
    // Prepare: 10:00 CST
    const instant = at('2026-12-01T02:00:00.000Z');

    // Act
    const end = endOfChinaDay(instant);

    // Assess
    expect(new Date(end).toISOString()).toBe('2026-12-01T15:59:59.999Z');
  });

  it('returns the instant itself for the last millisecond of a CST day', () => {
    // Prepare
    const last = at('2026-12-01T15:59:59.999Z');

    // Act
    const end = endOfChinaDay(last);

    // Assess
    expect(end).toBe(last);
  });

  it('returns the end of the next CST day from 16:00Z (CST midnight) on', () => {
    // Act
    const end = endOfChinaDay(at('2026-12-01T16:00:00.000Z'));

    // Assess
    expect(new Date(end).toISOString()).toBe('2026-12-02T15:59:59.999Z');
  });

  it('returns the end of Dec 31 CST for 23:59 CST on Dec 31', () => {
    // Act
    const end = endOfChinaDay(at('2026-12-31T15:59:00.000Z'));

    // Assess
    expect(new Date(end).toISOString()).toBe('2026-12-31T15:59:59.999Z');
  });
});

describe('addDaysToDate', () => {
  it('returns the first of the next month across a month end', () => {
    // Assess
    expect(addDaysToDate('2026-01-31', 1)).toBe('2026-02-01');
    expect(addDaysToDate('2026-04-30', 1)).toBe('2026-05-01');
  });

  it('returns Jan 1 of the next year across a year end', () => {
    // Assess
    expect(addDaysToDate('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDaysToDate('2026-12-25', 10)).toBe('2027-01-04');
  });

  it('returns Feb 28 going back from Mar 1 in a common year and Feb 29 in a leap year', () => {
    // Assess
    expect(addDaysToDate('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDaysToDate('2028-03-01', -1)).toBe('2028-02-29');
    expect(addDaysToDate('2028-02-28', 1)).toBe('2028-02-29');
  });

  it('returns Dec 31 of the previous year going back from Jan 1', () => {
    // Assess
    expect(addDaysToDate('2027-01-01', -1)).toBe('2026-12-31');
  });

  it('returns the same date for zero days and a whole year for 365 days in a common year', () => {
    // Assess
    expect(addDaysToDate('2026-06-15', 0)).toBe('2026-06-15');
    expect(addDaysToDate('2026-06-15', 365)).toBe('2027-06-15');
  });
});

describe('weekdayOf', () => {
  it('returns 4 (Thursday) for 2026-10-01, 6 (Saturday) for 2026-10-10 and 0 (Sunday) for 2026-09-20', () => {
    // Assess
    expect(weekdayOf('2026-10-01')).toBe(4);
    expect(weekdayOf('2026-10-10')).toBe(6);
    expect(weekdayOf('2026-09-20')).toBe(0);
  });
});

describe('chinaMonthOf', () => {
  it('returns November for the last millisecond of Nov 30 CST, which is 15:59:59.999Z', () => {
    // Assess
    expect(chinaMonthOf(at('2026-11-30T15:59:59.999Z'))).toBe('2026-11');
  });

  it('returns December from 16:00Z on Nov 30, although the UTC date is still in November', () => {
    // Assess
    expect(chinaMonthOf(at('2026-11-30T16:00:00.000Z'))).toBe('2026-12');
  });

  it('returns January of the next year from 16:00Z on Dec 31', () => {
    // Assess
    expect(chinaMonthOf(at('2026-12-31T15:59:59.999Z'))).toBe('2026-12');
    expect(chinaMonthOf(at('2026-12-31T16:00:00.000Z'))).toBe('2027-01');
  });
});

describe('isoDate', () => {
  it('returns true for YYYY-MM-DD dates', () => {
    // Assess
    expect(isoDate.test('2026-12-01')).toBe(true);
    expect(isoDate.test('2026-02-28')).toBe(true);
  });

  it('rejects months and days out of range and other shapes', () => {
    // Assess
    for (const text of [
      '2026-13-01',
      '2026-00-10',
      '2026-12-32',
      '2026-12-00',
      '2026-1-01',
      '20261201',
      '2026-12-01T00:00',
    ]) {
      expect(isoDate.test(text), text).toBe(false);
    }
  });
});

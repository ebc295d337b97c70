import { describe, expect, it } from 'vitest';
import holidays from '#data/holidays.json' with { type: 'json' };
import { type HolidayCalendarData, WorkingCalendar } from '#domain/working-calendar.ts';

/** The real calendar of the deployment (State Council notices for 2025, 2026 and a provisional 2027). */
const calendar = new WorkingCalendar(holidays as HolidayCalendarData);

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();
/** The last millisecond of a CST date, written out as the UTC instant it is. */
const endOfCst = (date: string): string => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d, 15, 59, 59, 999)).toISOString();
};

describe('WorkingCalendar.isWorkingDay', () => {
  it('returns true for ordinary weekdays and false for ordinary weekends', () => {
    // Prepare: the week of Monday 2026-11-23 to Sunday 2026-11-29 has no holiday
    const week = [
      '2026-11-23',
      '2026-11-24',
      '2026-11-25',
      '2026-11-26',
      '2026-11-27',
      '2026-11-28',
      '2026-11-29',
    ];

    // Act
    const working = week.map((d) => calendar.isWorkingDay(d));

    // Assess
    expect(working).toEqual([true, true, true, true, true, false, false]);
  });

  it('returns false for every day of the 2026 National Day holiday (Oct 1 to 7), weekdays included', () => {
    // Prepare
    const days = ['01', '02', '03', '04', '05', '06', '07'].map((d) => `2026-10-${d}`);

    // Act
    const working = days.map((d) => calendar.isWorkingDay(d));

    // Assess
    expect(working).toEqual([false, false, false, false, false, false, false]);
    expect(calendar.holidayName('2026-10-01')).toBe('国庆节');
  });

  it('returns true for the weekdays right after National Day (Thursday Oct 8, Friday Oct 9)', () => {
    // Assess
    expect(calendar.isWorkingDay('2026-10-08')).toBe(true);
    expect(calendar.isWorkingDay('2026-10-09')).toBe(true);
  });

  it('returns true for the make-up workdays Saturday 2026-10-10 and Sunday 2026-09-20', () => {
    // Assess
    expect(calendar.isWorkingDay('2026-10-10')).toBe(true);
    expect(calendar.isWorkingDay('2026-09-20')).toBe(true);
    expect(calendar.holidayName('2026-10-10')).toBeUndefined();
  });

  it('returns false for the weekend day next to a make-up workday (Sunday 2026-10-11, Saturday 2026-09-19)', () => {
    // Assess
    expect(calendar.isWorkingDay('2026-10-11')).toBe(false);
    expect(calendar.isWorkingDay('2026-09-19')).toBe(false);
  });

  it('returns false for all of Spring Festival 2026 (Feb 15 to 23) and true for its make-up Saturdays', () => {
    // Prepare
    const festival = ['15', '16', '17', '18', '19', '20', '21', '22', '23'].map((d) => `2026-02-${d}`);

    // Assess
    expect(festival.map((d) => calendar.isWorkingDay(d))).toEqual(festival.map(() => false));
    expect(calendar.isWorkingDay('2026-02-14')).toBe(true);
    expect(calendar.isWorkingDay('2026-02-28')).toBe(true);
    expect(calendar.isWorkingDay('2026-02-24')).toBe(true);
  });
});

describe('WorkingCalendar.endOfNthWorkingDayAfter', () => {
  it('returns the end of Thursday Oct 8 for one working day after Wednesday Sep 30, 2026 (holiday skipped)', () => {
    // Prepare: Wednesday 2026-09-30 10:00 CST
    const received = at('2026-09-30T02:00:00.000Z');

    // Act
    const due = calendar.endOfNthWorkingDayAfter(received, 1);

    // Assess
    expect(iso(due)).toBe(endOfCst('2026-10-08'));
  });

  it('returns the end of make-up Saturday Oct 10 for three working days after Sep 30, 2026', () => {
    // Prepare
    const received = at('2026-09-30T02:00:00.000Z');

    // Act
    const due = calendar.endOfNthWorkingDayAfter(received, 3);

    // Assess: Oct 8 (1), Oct 9 (2), Oct 10 make-up Saturday (3)
    expect(iso(due)).toBe(endOfCst('2026-10-10'));
  });

  it('returns the end of Monday Oct 12 for four working days after Sep 30, 2026 (Sunday Oct 11 off)', () => {
    // Act
    const due = calendar.endOfNthWorkingDayAfter(at('2026-09-30T02:00:00.000Z'), 4);

    // Assess
    expect(iso(due)).toBe(endOfCst('2026-10-12'));
  });

  it('returns the end of make-up Sunday Sep 20 for one working day after Friday Sep 18, 2026', () => {
    // Prepare: Friday 2026-09-18 17:00 CST
    const received = at('2026-09-18T09:00:00.000Z');

    // Act
    const due = calendar.endOfNthWorkingDayAfter(received, 1);

    // Assess
    expect(iso(due)).toBe(endOfCst('2026-09-20'));
  });

  it('returns the end of make-up Saturday Feb 14 for one working day after Friday Feb 13, 2026', () => {
    // Prepare: Friday 2026-02-13 18:00 CST
    const received = at('2026-02-13T10:00:00.000Z');

    // Act
    const due = calendar.endOfNthWorkingDayAfter(received, 1);

    // Assess
    expect(iso(due)).toBe(endOfCst('2026-02-14'));
  });

  it('returns the end of Tuesday Feb 24 for two working days after Friday Feb 13, 2026 (Spring Festival skipped)', () => {
    // Act
    const due = calendar.endOfNthWorkingDayAfter(at('2026-02-13T10:00:00.000Z'), 2);

    // Assess: Feb 14 make-up (1), Feb 15-23 Spring Festival, Feb 24 (2)
    expect(iso(due)).toBe(endOfCst('2026-02-24'));
  });

  it('returns the end of make-up Saturday Feb 28 for five working days after Feb 14, 2026', () => {
    // Prepare: received on the make-up Saturday itself, 09:00 CST
    const received = at('2026-02-14T01:00:00.000Z');

    // Act
    const due = calendar.endOfNthWorkingDayAfter(received, 5);

    // Assess: Feb 24, 25, 26, 27, 28 (make-up)
    expect(iso(due)).toBe(endOfCst('2026-02-28'));
  });

  it('returns the end of Monday Mar 2 for six working days after Feb 14, 2026 (Sunday Mar 1 off)', () => {
    // Act
    const due = calendar.endOfNthWorkingDayAfter(at('2026-02-14T01:00:00.000Z'), 6);

    // Assess
    expect(iso(due)).toBe(endOfCst('2026-03-02'));
  });

  it('returns the end of Monday Jan 4, 2027 for one working day after Thursday Dec 31, 2026 (across the year end)', () => {
    // Prepare: 2027-01-01 to 03 are New Year holidays in the (provisional) 2027 calendar
    const received = at('2026-12-31T02:00:00.000Z');

    // Act
    const due = calendar.endOfNthWorkingDayAfter(received, 1);

    // Assess
    expect(iso(due)).toBe(endOfCst('2027-01-04'));
  });

  describe('the day of receipt never counts', () => {
    it('returns the end of Tuesday for one working day after a Monday received at 00:00 CST', () => {
      // Prepare: Monday 2026-11-30 00:00:00.000 CST
      const received = at('2026-11-29T16:00:00.000Z');

      // Act
      const due = calendar.endOfNthWorkingDayAfter(received, 1);

      // Assess
      expect(iso(due)).toBe(endOfCst('2026-12-01'));
    });

    it('returns the end of Tuesday for one working day after the last millisecond of Monday CST', () => {
      // Act
      const due = calendar.endOfNthWorkingDayAfter(at('2026-11-30T15:59:59.999Z'), 1);

      // Assess
      expect(iso(due)).toBe(endOfCst('2026-12-01'));
    });

    it('returns the end of Wednesday for one working day after Tuesday 00:00 CST (16:00Z on Monday)', () => {
      // Act
      const due = calendar.endOfNthWorkingDayAfter(at('2026-11-30T16:00:00.000Z'), 1);

      // Assess
      expect(iso(due)).toBe(endOfCst('2026-12-02'));
    });

    it('returns the end of Monday for one working day after a Friday evening', () => {
      // Prepare: Friday 2026-11-27 20:00 CST
      const received = at('2026-11-27T12:00:00.000Z');

      // Act
      const due = calendar.endOfNthWorkingDayAfter(received, 1);

      // Assess
      expect(iso(due)).toBe(endOfCst('2026-11-30'));
    });

    it('returns the next working day when received on a make-up workday (Sunday Sep 20, 2026)', () => {
      // Prepare: 10:00 CST on the make-up Sunday, itself a working day
      const received = at('2026-09-20T02:00:00.000Z');

      // Act
      const due = calendar.endOfNthWorkingDayAfter(received, 1);

      // Assess
      expect(iso(due)).toBe(endOfCst('2026-09-21'));
    });
  });

  it('rejects a count of 0 with a RangeError', () => {
    // Act / Assess
    expect(() => calendar.endOfNthWorkingDayAfter(at('2026-11-30T02:00:00.000Z'), 0)).toThrow(RangeError);
    expect(() => calendar.endOfNthWorkingDayAfter(at('2026-11-30T02:00:00.000Z'), 0)).toThrow(
      'count must be a positive integer, got 0',
    );
  });

  it('returns for 200 working days the same day as one working day counted 200 times, across holidays', () => {
    // Prepare: from New Year 2025, through Spring Festival, Qingming, Labour Day, Dragon Boat and National Day
    const start = at('2025-01-01T02:00:00.000Z');
    let stepwise = start;

    // Act
    for (let i = 0; i < 200; i++) stepwise = calendar.endOfNthWorkingDayAfter(stepwise, 1);
    const atOnce = calendar.endOfNthWorkingDayAfter(start, 200);

    // Assess
    expect(iso(atOnce)).toBe(iso(stepwise));
    expect(iso(atOnce).slice(0, 4)).toBe('2025');
  });

  it('rejects negative and fractional counts with a RangeError', () => {
    // Prepare
    const received = at('2026-11-30T02:00:00.000Z');

    // Act / Assess
    expect(() => calendar.endOfNthWorkingDayAfter(received, -1)).toThrow(RangeError);
    expect(() => calendar.endOfNthWorkingDayAfter(received, 1.5)).toThrow(RangeError);
    expect(() => calendar.endOfNthWorkingDayAfter(received, Number.NaN)).toThrow(RangeError);
  });
});

describe('WorkingCalendar.covers', () => {
  it('returns true for the years in the data, first and last included', () => {
    // Assess
    expect(calendar.covers('2025-01-01')).toBe(true);
    expect(calendar.covers('2026-10-01')).toBe(true);
    expect(calendar.covers('2027-12-31')).toBe(true);
  });

  it('returns false for the years before and after the data', () => {
    // Assess
    expect(calendar.covers('2024-12-31')).toBe(false);
    expect(calendar.covers('2028-01-01')).toBe(false);
  });
});

describe('WorkingCalendar constructor', () => {
  it('rejects a calendar without years', () => {
    // Act / Assess
    expect(() => new WorkingCalendar({ years: {} })).toThrow(/no years/);
  });

  it('returns a make-up workday as working even when it falls on a weekend, from hand-made data', () => {
    // Prepare
    const small = new WorkingCalendar({
      years: {
        '2030': {
          holidays: [{ date: '2030-01-01', name: 'New Year' }],
          makeupWorkdays: [{ date: '2030-01-05', name: 'Make-up' }],
        },
      },
    });

    // Assess: 2030-01-01 is a Tuesday, 2030-01-05 a Saturday, 2030-01-06 a Sunday
    expect(small.isWorkingDay('2030-01-01')).toBe(false);
    expect(small.isWorkingDay('2030-01-05')).toBe(true);
    expect(small.isWorkingDay('2030-01-06')).toBe(false);
    expect(small.covers('2030-06-01')).toBe(true);
    expect(small.covers('2029-12-31')).toBe(false);
  });
});

describe('WorkingCalendar with a run of holidays longer than any real one', () => {
  /** 2030 with every day from Jan 2 to Feb 8 a holiday (38 days) and Saturday Feb 9 a make-up workday. */
  const strange = (): WorkingCalendar => {
    const holidays = Array.from({ length: 38 }, (_, i) => ({
      date: new Date(Date.UTC(2030, 0, 2 + i)).toISOString().slice(0, 10),
      name: 'Holiday',
    }));
    return new WorkingCalendar({
      years: { '2030': { holidays, makeupWorkdays: [{ date: '2030-02-09', name: 'Make-up' }] } },
    });
  };

  it('rejects counting one working day through 38 days off: the calendar must be wrong', () => {
    // Prepare: 09:00 CST on Tuesday 2030-01-01
    const newYear = at('2030-01-01T01:00:00.000Z');

    // Act / Assess: one working day looks at most 1 × 7 + 31 days ahead
    expect(() => strange().endOfNthWorkingDayAfter(newYear, 1)).toThrow(
      'No 1 working days found after 2030-01-01; is the calendar complete?',
    );
  });

  it('returns the make-up workday right after the run when counting from one day later', () => {
    // Prepare: 09:00 CST on Wednesday 2030-01-02
    const dayTwo = at('2030-01-02T01:00:00.000Z');

    // Act / Assess: Feb 9 is the 38th day ahead, within the bound
    expect(iso(strange().endOfNthWorkingDayAfter(dayTwo, 1))).toBe(endOfCst('2030-02-09'));
  });
});

describe('WorkingCalendar coverage', () => {
  it('rejects counting working days into a year the calendar has no holidays for', () => {
    // Prepare: the last days of 2027, the last year in data/holidays.json
    const lateDecember = at('2027-12-30T02:00:00.000Z');

    // Act / Assess: 1 working day stays in 2027; 3 would count through 2028's unknown holidays
    expect(iso(calendar.endOfNthWorkingDayAfter(lateDecember, 1))).toBe(endOfCst('2027-12-31'));
    expect(() => calendar.endOfNthWorkingDayAfter(lateDecember, 3)).toThrow(
      /^The holiday calendar has no data for 2028\.$/,
    );
  });
});

import { addDaysToDate, chinaDateOf, DAY_MS, startOfChinaDate, weekdayOf } from './china-time.ts';

/**
 * The official working-day calendar (工作日): weekends are days off, except make-up workdays (调休上班);
 * public holidays are days off even on weekdays. The calendar is data (data/holidays.json), so a new
 * year's State Council notice is a data change, not a code change.
 */
export interface HolidayCalendarData {
  readonly years: Readonly<
    Record<
      string,
      {
        readonly provisional?: boolean;
        readonly holidays: readonly { readonly date: string; readonly name: string }[];
        readonly makeupWorkdays: readonly { readonly date: string; readonly name: string }[];
      }
    >
  >;
}

export class WorkingCalendar {
  private readonly holidays = new Map<string, string>();
  private readonly makeupWorkdays = new Set<string>();
  private readonly firstYear: number;
  private readonly lastYear: number;

  constructor(data: HolidayCalendarData) {
    const years = Object.keys(data.years).map(Number);
    if (years.length === 0) throw new Error('The holiday calendar has no years.');
    this.firstYear = Math.min(...years);
    this.lastYear = Math.max(...years);
    for (const year of Object.values(data.years)) {
      for (const h of year.holidays) this.holidays.set(h.date, h.name);
      for (const w of year.makeupWorkdays) this.makeupWorkdays.add(w.date);
    }
  }

  /** Whether the calendar knows the official holidays of that date's year. */
  covers(date: string): boolean {
    const year = Number(date.slice(0, 4));
    return year >= this.firstYear && year <= this.lastYear;
  }

  isWorkingDay(date: string): boolean {
    if (this.makeupWorkdays.has(date)) return true;
    if (this.holidays.has(date)) return false;
    const weekday = weekdayOf(date);
    return weekday !== 0 && weekday !== 6;
  }

  holidayName(date: string): string | undefined {
    return this.holidays.get(date);
  }

  /**
   * The end (last millisecond, CST) of the `count`-th working day after the day containing `fromMs`.
   * The day of receipt never counts, whether or not it is a working day: an order received on a
   * Friday evening with a limit of 1 working day is due at the end of Monday.
   */
  endOfNthWorkingDayAfter(fromMs: number, count: number): number {
    if (!Number.isInteger(count) || count < 1)
      throw new RangeError(`count must be a positive integer, got ${count}`);
    let date = chinaDateOf(fromMs);
    let found = 0;
    // Bounded: even the longest Chinese holiday run (Spring Festival + weekends) is under 12 days.
    for (let guard = 0; guard < count * 7 + 31; guard++) {
      date = addDaysToDate(date, 1);
      // Counting working days through a year the calendar does not know would silently ignore its
      // holidays: refuse, so that the missing year is added to data/holidays.json.
      if (!this.covers(date))
        throw new RangeError(`The holiday calendar has no data for ${date.slice(0, 4)}.`);
      if (this.isWorkingDay(date)) {
        found++;
        if (found === count) return startOfChinaDate(date) + DAY_MS - 1;
      }
    }
    throw new Error(`No ${count} working days found after ${chinaDateOf(fromMs)}; is the calendar complete?`);
  }
}

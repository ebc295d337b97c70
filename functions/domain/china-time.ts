/**
 * Time in China Standard Time (UTC+8). China has had no daylight saving time since 1991, so a fixed
 * offset is exact and needs no time-zone database; every day boundary of the hotline (same-day
 * dispatch, working days, month ends) is a CST boundary, never a UTC one.
 */
export const CST_OFFSET_MS = 8 * 60 * 60 * 1000;
export const DAY_MS = 24 * 60 * 60 * 1000;
export const HOUR_MS = 60 * 60 * 1000;

/** `YYYY-MM-DD` of the CST calendar day that contains the instant. */
export const chinaDateOf = (instantMs: number): string =>
  new Date(instantMs + CST_OFFSET_MS).toISOString().slice(0, 10);

/** The instant at which the CST day `YYYY-MM-DD` starts (00:00 CST). */
export const startOfChinaDate = (date: string): number => Date.parse(`${date}T00:00:00.000Z`) - CST_OFFSET_MS;

/** The last millisecond of the CST day that contains the instant. */
export const endOfChinaDay = (instantMs: number): number =>
  startOfChinaDate(chinaDateOf(instantMs)) + DAY_MS - 1;

/** The CST date `days` after `date` (negative goes back). */
export const addDaysToDate = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00.000Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** Day of week of a CST date, 0 = Sunday ... 6 = Saturday. */
export const weekdayOf = (date: string): number => new Date(`${date}T00:00:00.000Z`).getUTCDay();

/** The month `k` months after `YYYY-MM` (negative goes back), across year ends. */
export const addMonthsToMonth = (month: string, k: number): string => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const n = y * 12 + (m - 1) + k;
  return `${Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, '0')}`;
};

/** `YYYY-MM` of the CST month that contains the instant (assessment months are CST months). */
export const chinaMonthOf = (instantMs: number): string => chinaDateOf(instantMs).slice(0, 7);

export const isoDate = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

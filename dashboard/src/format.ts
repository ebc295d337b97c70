/**
 * How figures are written on the page, one way everywhere (the browser tests read them back):
 * counts with thousands separators, rates and shares as percentages with one decimal, statistics
 * with two decimals, times in China Standard Time.
 */
export const DASH = '—';

const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

export const count = (x: unknown): string => (isNumber(x) ? Math.round(x).toLocaleString('en-US') : DASH);

export const percent = (x: unknown): string => (isNumber(x) ? `${(x * 100).toFixed(1)}%` : DASH);

/** A change as a signed percentage: +12.5% / −3.0%. */
export const signedPercent = (x: unknown): string =>
  isNumber(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}%` : DASH;

/** A change of a rate in percentage points: +2.5 / −0.8. */
export const signedPoints = (x: unknown): string =>
  isNumber(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}` : DASH;

export const decimal = (x: unknown, digits = 2): string => (isNumber(x) ? x.toFixed(digits) : DASH);

const cst = (options: Intl.DateTimeFormatOptions) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', hour12: false, ...options });
const dateTimeFormat = cst({
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** `2026-12-02 16:24:53` (CST) from an ISO instant. */
export const dateTime = (iso: unknown): string => {
  if (typeof iso !== 'string' || Number.isNaN(Date.parse(iso))) return DASH;
  const parts = Object.fromEntries(dateTimeFormat.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
};

/** Today's CST date, YYYY-MM-DD. */
export const todayCst = (now = Date.now()): string => cst({ dateStyle: 'short' }).format(new Date(now));

/** The CST month of now, YYYY-MM. */
export const monthCst = (now = Date.now()): string => todayCst(now).slice(0, 7);

export const addDays = (day: string, k: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + k * 86_400_000).toISOString().slice(0, 10);

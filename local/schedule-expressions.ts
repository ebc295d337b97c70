/**
 * EventBridge Scheduler's schedule expressions, read as AWS documents them, in a time zone:
 * - `at(yyyy-mm-ddThh:mm:ss)`: one instant, wall time in the zone;
 * - `rate(value unit)`: every `value` minutes, hours or days (a day is 24 hours, whatever the zone);
 * - `cron(minutes hours day-of-month month day-of-week year)`: AWS's six fields, with `*`, `?`
 *   (one of day-of-month and day-of-week, and only there), ranges `a-b`, lists `a,b`, steps `a/n`,
 *   `*\/n`, `a-b/n`, month names JAN-DEC and day names SUN-SAT (1 is Sunday). `L`, `W` and `#`
 *   are refused: the local twin does not support them (AWS does; stricter, never kinder).
 *
 * Daylight saving, as AWS documents it for cron: a wall time the clocks skip does not fire, a wall
 * time lived twice fires once (the first time). `at()` keeps its own rule (see atInstant).
 */

export const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** The cron year field's range (AWS: 1970-2199). */
const LAST_YEAR = 2199;

export type ParsedExpression =
  | { readonly kind: 'at' }
  | { readonly kind: 'rate'; readonly everyMs: number }
  | { readonly kind: 'cron'; readonly cron: Cron };

export interface Cron {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  /** Undefined where the field is `?`. */
  readonly daysOfMonth: ReadonlySet<number> | undefined;
  readonly months: ReadonlySet<number>;
  /** 1 (Sunday) to 7 (Saturday); undefined where the field is `?`. */
  readonly daysOfWeek: ReadonlySet<number> | undefined;
  readonly years: ReadonlySet<number>;
}

/** An expression that is not valid (AWS's ValidationException message), or one the twin refuses. */
export class ScheduleExpressionError extends Error {
  override readonly name = 'ScheduleExpressionError';
}

// ---- time zones -----------------------------------------------------------------------------------

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

export const zoneFormat = (timeZone: string): Intl.DateTimeFormat | undefined => {
  let format = zoneFormats.get(timeZone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      return undefined;
    }
    zoneFormats.set(timeZone, format);
  }
  return format;
};

/** How far the zone's wall clock is ahead of UTC at `utcMs`. */
const zoneOffset = (format: Intl.DateTimeFormat, utcMs: number): number => {
  const parts = Object.fromEntries(format.formatToParts(new Date(utcMs)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return wall - Math.floor(utcMs / 1000) * 1000;
};

/** The instants at which the zone's wall clock reads `wall` (naive ms): none, one, or two (fall back). */
const instantsOf = (format: Intl.DateTimeFormat, wall: number): number[] => {
  // The offsets a day either side (zones change offset at most once within a day).
  const before = zoneOffset(format, wall - DAY_MS);
  const after = zoneOffset(format, wall + DAY_MS);
  const readings = [wall - before, wall - after].filter(
    (instant, i) => zoneOffset(format, instant) === (i === 0 ? before : after),
  );
  return [...new Set(readings)].sort((a, b) => a - b);
};

const atPattern = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;

/**
 * The instant an `at(yyyy-mm-ddThh:mm:ss)` names in `timeZone`, or undefined when it names no date
 * (a 30th of February, an hour 24). Around a daylight-saving change: a wall time the clocks skip is
 * read with the offset before the jump (02:30 on a spring-forward night fires at 03:30), a wall time
 * that happens twice fires the first time (AWS documents this only for cron schedules: a skipped
 * time is not lost, a repeated one runs once).
 */
export const atInstant = (expression: string, timeZone = 'UTC'): number | undefined => {
  const match = atPattern.exec(expression);
  const format = zoneFormat(timeZone);
  if (!match || !format) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(wall);
  if (
    year < 1970 ||
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second
  )
    return undefined;
  const readings = instantsOf(format, wall);
  return readings[0] ?? wall - zoneOffset(format, wall - DAY_MS);
};

// ---- parsing --------------------------------------------------------------------------------------

const invalid = (expression: string) =>
  new ScheduleExpressionError(`Invalid Schedule Expression ${expression}.`);

const ratePattern = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const unitMs: Record<string, number> = { minute: MINUTE_MS, hour: 3_600_000, day: DAY_MS };

const monthNames = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const dayNames = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** `?` is allowed (day-of-month and day-of-week only). */
  readonly any?: boolean;
}

const fieldSpecs: readonly FieldSpec[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31, any: true },
  { min: 1, max: 12, names: monthNames },
  { min: 1, max: 7, names: dayNames, any: true },
  { min: 1970, max: LAST_YEAR },
];

/** One cron field as the set of values it allows; undefined for `?`. */
const parseField = (text: string, spec: FieldSpec, expression: string): Set<number> | undefined => {
  if (text === '?') {
    if (!spec.any) throw invalid(expression);
    return undefined;
  }
  let named = text.toUpperCase();
  spec.names?.forEach((name, i) => {
    named = named.replaceAll(name, String(spec.min + i));
  });
  if (/[LW#]/.test(named))
    throw new ScheduleExpressionError(
      `The local EventBridge Scheduler does not support L, W or # in cron expressions: ${expression}. ` +
        'AWS does; list the days instead (e.g. 28-31 and a check in the target).',
    );
  const values = new Set<number>();
  for (const item of named.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
    if (!m) throw invalid(expression);
    const star = m[1] === '*';
    const from = star ? spec.min : Number(m[2]);
    const to = star ? spec.max : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? spec.max : from;
    const step = m[4] !== undefined ? Number(m[4]) : 1;
    if (from < spec.min || to > spec.max || from > to || step < 1) throw invalid(expression);
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
};

/** Reads a schedule expression; throws ScheduleExpressionError with AWS's message when it is not valid. */
export const parseScheduleExpression = (expression: string): ParsedExpression => {
  if (expression.startsWith('at(')) {
    if (!atPattern.test(expression)) throw invalid(expression);
    return { kind: 'at' };
  }
  const rate = ratePattern.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2] ?? '';
    // AWS's documented form: singular for 1, plural above (EventBridge rules refuse the other forms).
    if (value < 1 || (value === 1) !== !unit.endsWith('s')) throw invalid(expression);
    return { kind: 'rate', everyMs: value * (unitMs[unit.replace(/s$/, '')] ?? 0) };
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) throw invalid(expression);
  const fields = (cron[1] ?? '').split(' ');
  if (fields.length !== 6 || fields.some((f) => f === '')) throw invalid(expression);
  const [minutes, hours, daysOfMonth, months, daysOfWeek, years] = fields.map((f, i) =>
    parseField(f, fieldSpecs[i] as FieldSpec, expression),
  );
  // Exactly one of day-of-month and day-of-week is `?`.
  if ((daysOfMonth === undefined) === (daysOfWeek === undefined)) throw invalid(expression);
  if (!minutes || !hours || !months || !years) throw invalid(expression);
  return { kind: 'cron', cron: { minutes, hours, daysOfMonth, months, daysOfWeek, years } };
};

// ---- occurrences ----------------------------------------------------------------------------------

const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** The first wall time (naive ms, whole minutes) at or after `fromWall` that the cron's fields allow. */
const nextWall = (cron: Cron, fromWall: number): number | undefined => {
  let t = Math.ceil(fromWall / MINUTE_MS) * MINUTE_MS;
  for (let guard = 0; guard < 500_000; guard++) {
    const d = new Date(t);
    const [year, month, day, hour, minute] = [
      d.getUTCFullYear(),
      d.getUTCMonth() + 1,
      d.getUTCDate(),
      d.getUTCHours(),
      d.getUTCMinutes(),
    ];
    if (year > LAST_YEAR) return undefined;
    if (!cron.years.has(year)) t = Date.UTC(year + 1, 0, 1);
    else if (!cron.months.has(month)) t = Date.UTC(year, month, 1);
    else if (
      day > daysInMonth(year, month) ||
      (cron.daysOfMonth ? !cron.daysOfMonth.has(day) : !cron.daysOfWeek?.has(d.getUTCDay() + 1))
    )
      t = Date.UTC(year, month - 1, day + 1);
    else if (!cron.hours.has(hour)) t = Date.UTC(year, month - 1, day, hour + 1);
    else if (!cron.minutes.has(minute)) t += MINUTE_MS;
    else return t;
  }
  return undefined;
};

/** The first instant after `afterMs` at which the cron fires in `timeZone`; undefined when none is left. */
export const nextCronInstant = (cron: Cron, timeZone: string, afterMs: number): number | undefined => {
  const format = zoneFormat(timeZone);
  if (!format) return undefined;
  let wall: number | undefined = Math.floor((afterMs + zoneOffset(format, afterMs)) / MINUTE_MS) * MINUTE_MS;
  for (let guard = 0; guard < 10_000 && wall !== undefined; guard++) {
    wall = nextWall(cron, wall);
    if (wall === undefined) return undefined;
    // A skipped wall time has no instant; a repeated one fires the first time it happens.
    const first = instantsOf(format, wall)[0];
    if (first !== undefined && first > afterMs) return first;
    wall += MINUTE_MS;
  }
  return undefined;
};

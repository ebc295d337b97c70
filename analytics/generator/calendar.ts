import {
  addDaysToDate,
  addMonthsToMonth,
  DAY_MS,
  startOfChinaDate,
  weekdayOf,
} from '../../functions/domain/china-time.ts';
import type { WorkingCalendar } from '../../functions/domain/working-calendar.ts';
import type { City } from './city.ts';
import type { GeneratorConfig, Season, WeatherKind } from './config.ts';
import { apportion, Rng } from './prng.ts';

/**
 * The calendar of a run: every CST day of the range with its expected volume (yearly level × weekly
 * rhythm × holidays × the sum of the categories' seasonal weights) and its category law, the weather
 * events that spike some categories, and the number of orders of each day (the total split exactly).
 * Everything here is cheap and deterministic, so the main thread and every worker compute the same
 * plan and each worker takes its months.
 */
export interface WeatherEvent {
  readonly kind: 'heavyRain' | 'coldSpell' | 'snow' | 'heatWave';
  readonly from: string;
  readonly to: string;
  readonly intensity: number;
}

export interface DayPlan {
  readonly index: number;
  readonly date: string;
  readonly month: string;
  readonly year: number;
  readonly dayOfMonth: number;
  readonly weekday: number;
  /** CST midnight of the day, as UTC milliseconds. */
  readonly startMs: number;
  readonly holiday: string | undefined;
  readonly makeupWorkday: boolean;
  /** The official calendar of that year is known (else only the weekly rhythm applies). */
  readonly calendarKnown: boolean;
  /** Probability of each category leaf on that day. */
  readonly leafLaw: Float64Array;
  /** Expected volume, relative. */
  readonly weight: number;
  /** Orders of the base model that day. */
  count: number;
}

export interface MonthPlan {
  readonly key: string;
  readonly days: readonly DayPlan[];
  readonly startMs: number;
  readonly endMs: number;
}

/** `YYYY-MM` plus `n` months. */
export const addMonths = addMonthsToMonth;

/** The last full CST month before the instant. */
export const lastFullMonth = (nowMs: number): string =>
  addMonths(new Date(nowMs + 8 * 3_600_000).toISOString().slice(0, 7), -1);

export const monthsOfRange = (endMonth: string, years: number): string[] =>
  Array.from({ length: Math.round(years * 12) }, (_, i) =>
    addMonths(endMonth, i - Math.round(years * 12) + 1),
  );

const daysInMonth = (month: string): string[] => {
  const out: string[] = [];
  for (let d = `${month}-01`; d.startsWith(month); d = addDaysToDate(d, 1)) out.push(d);
  return out;
};

/** Days from `from` (MM-DD, in `year`) to `to` (MM-DD, the same or the next year), inclusive. */
const windowDates = (year: number, from: string, to: string): string[] => {
  const start = `${year}-${from}`;
  const end = to >= from ? `${year}-${to}` : `${year + 1}-${to}`;
  const out: string[] = [];
  for (let d = start; d <= end; d = addDaysToDate(d, 1)) out.push(d);
  return out;
};

const dayNumber = (date: string): number => Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);

/** The factor of one season on a date (1 outside it). */
export const seasonFactor = (season: Season, date: string): number => {
  const year = Number(date.slice(0, 4));
  for (const startYear of [year, year - 1]) {
    const start = `${startYear}-${season.from}`;
    const end = season.to >= season.from ? `${startYear}-${season.to}` : `${startYear + 1}-${season.to}`;
    if (date < start || date > end) continue;
    const t = dayNumber(date) - dayNumber(start);
    const length = dayNumber(end) - dayNumber(start) + 1;
    const ramp =
      season.rampDays > 0 ? Math.min(1, (t + 1) / season.rampDays, (length - t) / season.rampDays) : 1;
    if (season.shape === 'plateau') return 1 + (season.peak - 1) * ramp;
    const floor = season.floor ?? 0.3;
    const decay = season.decayDays ?? 14;
    // front: the peak comes at the start (the first cold days) and settles to a floor.
    const level = floor + (1 - floor) * Math.exp(-t / decay);
    const endRamp = season.rampDays > 0 ? Math.min(1, (length - t) / season.rampDays) : 1;
    return 1 + (season.peak - 1) * level * endRamp;
  }
  return 1;
};

/** Leaves under each code (prefix), for seasons and weather effects. */
const leavesUnder = (city: City, code: string): number[] =>
  city.leafCodes.flatMap((leaf, i) => (leaf.startsWith(code) ? [i] : []));

/** Yearly level: log-linear between the configured years (anchored mid-year), extrapolated beyond. */
export const volumeLevel = (config: GeneratorConfig, date: string): number => {
  const anchors = Object.entries(config.volume.annual)
    .map(([y, v]) => [Number(y) + 0.5, Math.log(v)] as const)
    .sort((a, b) => a[0] - b[0]);
  const year = Number(date.slice(0, 4));
  const start = dayNumber(`${year}-01-01`);
  const length = dayNumber(`${year + 1}-01-01`) - start;
  const x = year + (dayNumber(date) - start + 0.5) / length;
  const first = anchors[0] as readonly [number, number];
  const last = anchors[anchors.length - 1] as readonly [number, number];
  let logLevel: number;
  if (x <= first[0]) logLevel = first[1] - (first[0] - x) * Math.log(1 + config.volume.growthBeforeFirst);
  else if (x >= last[0]) logLevel = last[1] + (x - last[0]) * Math.log(1 + config.volume.growthAfterLast);
  else {
    let i = 0;
    while ((anchors[i + 1] as readonly [number, number])[0] < x) i++;
    const [x0, y0] = anchors[i] as readonly [number, number];
    const [x1, y1] = anchors[i + 1] as readonly [number, number];
    logLevel = y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
  }
  // Per day: the annual volume over the days of its year.
  return Math.exp(logLevel) / length;
};

const intBetween = (rng: Rng, [lo, hi]: readonly [number, number]): number => lo + rng.int(hi - lo + 1);

/** Weather events of a year, from the seed and the year alone (the same whatever the range). */
export const weatherOfYear = (config: GeneratorConfig, seed: string, year: number): WeatherEvent[] => {
  const rng = new Rng(`${seed}|weather|${year}`);
  const events: WeatherEvent[] = [];
  const kinds = ['heavyRain', 'coldSpell', 'snow', 'heatWave'] as const;
  for (const kind of kinds) {
    const spec: WeatherKind = config.weather[kind];
    const dates = windowDates(
      spec.window[0] > spec.window[1] ? year - 1 : year,
      spec.window[0],
      spec.window[1],
    );
    const count = intBetween(rng, spec.daysPerYear ?? spec.spellsPerYear ?? spec.wavesPerYear ?? [0, 0]);
    for (let k = 0; k < count; k++) {
      const from = dates[rng.int(dates.length)] as string;
      const length = spec.days ? intBetween(rng, spec.days) : 1;
      const intensity = Math.round(rng.between(spec.intensity[0], spec.intensity[1]) * 100) / 100;
      events.push({ kind, from, to: addDaysToDate(from, length - 1), intensity });
    }
  }
  return events.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.kind < b.kind ? -1 : 1));
};

export interface RunPlan {
  readonly months: readonly MonthPlan[];
  readonly days: readonly DayPlan[];
  readonly weather: readonly WeatherEvent[];
  /** Years of the range whose official holidays are unknown (weekly rhythm only). */
  readonly yearsWithoutHolidays: readonly number[];
}

export const buildPlan = (args: {
  config: GeneratorConfig;
  city: City;
  calendar: WorkingCalendar;
  seed: string;
  endMonth: string;
  years: number;
  orders: number;
}): RunPlan => {
  const { config, city, calendar, seed } = args;
  const monthKeys = monthsOfRange(args.endMonth, args.years);
  const firstYear = Number((monthKeys[0] as string).slice(0, 4));
  const lastYear = Number(args.endMonth.slice(0, 4));
  // A winter window belongs to the year it ends in: year Y's snow falls from late Y−1 to early Y, so
  // the range's last December comes with the year after.
  const weather: WeatherEvent[] = [];
  for (let y = firstYear; y <= lastYear + 1; y++) weather.push(...weatherOfYear(config, seed, y));
  const leafCount = city.leafCodes.length;
  const seasonLeaves = config.seasons.map((s) => [...new Set(s.codes.flatMap((c) => leavesUnder(city, c)))]);
  const weatherEffects = (kind: WeatherEvent['kind']): Float64Array => {
    const effects = new Float64Array(leafCount);
    const spec = config.weather[kind];
    // The most specific effect code of each leaf.
    const codes = Object.keys(spec.effects).sort((a, b) => a.length - b.length);
    for (const code of codes)
      for (const i of leavesUnder(city, code)) effects[i] = spec.effects[code] as number;
    return effects;
  };
  const effectsByKind = {
    heavyRain: weatherEffects('heavyRain'),
    coldSpell: weatherEffects('coldSpell'),
    snow: weatherEffects('snow'),
    heatWave: weatherEffects('heatWave'),
  };
  const days: DayPlan[] = [];
  const workdayFactor =
    ([1, 2, 3, 4, 5] as const).reduce((a, d) => a + (config.weekly.factors[d] as number), 0) / 5;
  const yearsWithoutHolidays = new Set<number>();
  for (const month of monthKeys) {
    for (const date of daysInMonth(month)) {
      const weekday = weekdayOf(date);
      const known = calendar.covers(date);
      if (!known) yearsWithoutHolidays.add(Number(date.slice(0, 4)));
      const holiday = known ? calendar.holidayName(date) : undefined;
      const makeup =
        known && holiday === undefined && calendar.isWorkingDay(date) && (weekday === 0 || weekday === 6);
      let rhythm = config.weekly.factors[weekday] as number;
      if (holiday !== undefined) rhythm = config.holidays.byName[holiday] ?? config.holidays.factor;
      else if (makeup) rhythm = workdayFactor; // 调休: a make-up workday behaves as a workday
      const law = new Float64Array(city.leafBaseWeight);
      config.seasons.forEach((season, s) => {
        const f = seasonFactor(season, date);
        if (f !== 1) for (const i of seasonLeaves[s] as number[]) law[i] = (law[i] as number) * f;
      });
      for (const event of weather) {
        const spec = config.weather[event.kind];
        let intensity = 0;
        if (date >= event.from && date <= event.to) intensity = event.intensity;
        else if (spec.nextDayShare !== undefined && date === addDaysToDate(event.to, 1))
          intensity = 1 + (event.intensity - 1) * spec.nextDayShare;
        if (intensity === 0) continue;
        const effects = effectsByKind[event.kind];
        for (let i = 0; i < leafCount; i++) {
          const e = effects[i] as number;
          if (e > 0) law[i] = (law[i] as number) * (1 + (intensity - 1) * e);
        }
      }
      let sum = 0;
      for (let i = 0; i < leafCount; i++) sum += law[i] as number;
      for (let i = 0; i < leafCount; i++) law[i] = (law[i] as number) / sum;
      days.push({
        index: days.length,
        date,
        month,
        year: Number(date.slice(0, 4)),
        dayOfMonth: Number(date.slice(8, 10)),
        weekday,
        startMs: startOfChinaDate(date),
        holiday,
        makeupWorkday: makeup,
        calendarKnown: known,
        leafLaw: law,
        weight: volumeLevel(config, date) * rhythm * sum,
        count: 0,
      });
    }
  }
  const counts = apportion(
    args.orders,
    days.map((d) => d.weight),
  );
  days.forEach((d, i) => {
    d.count = counts[i] as number;
  });
  const months = monthKeys.map((key) => {
    const monthDays = days.filter((d) => d.month === key);
    const first = monthDays[0] as DayPlan;
    const last = monthDays[monthDays.length - 1] as DayPlan;
    return { key, days: monthDays, startMs: first.startMs, endMs: last.startMs + DAY_MS };
  });
  const firstDate = (days[0] as DayPlan).date;
  const lastDate = (days[days.length - 1] as DayPlan).date;
  return {
    months,
    days,
    weather: weather.filter((e) => e.to >= firstDate && e.from <= lastDate),
    yearsWithoutHolidays: [...yearsWithoutHolidays].sort(),
  };
};

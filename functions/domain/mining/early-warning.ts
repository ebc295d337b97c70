import * as z from 'zod';
import { addDaysToDate, DAY_MS } from '../china-time.ts';
import { normalQuantile, studentTSurvival } from './distributions.ts';

/**
 * Early warning (风险预警, Art. 29): daily counts per category × district and × township, checked
 * with the CDC's EARS aberration methods (Hutwagner et al. 2003, as R `surveillance::earsC`):
 *
 *   C1  = (y_t − ȳ) / max(s, σ_min) over the baseline days t−7 … t−1
 *   C2  = the same over t−9 … t−3 (lagged 2 days, so an outbreak's first days stay out of its own
 *         baseline)
 *   C3  = Σ_{i=0..2} max(0, C2_{t−i} − 1), the excesses of the current and 2 previous days
 *
 * A method signals when its statistic exceeds z_{1−α} (α = 0.001 for C1 and C2, ≈ 3.09; 0.025 for
 * C3, ≈ 1.96 — surveillance's defaults, the "3 and 2" of the original EARS) and the day's count is at
 * least `minObserved`. ȳ and s are the baseline's mean and sample standard deviation; σ_min keeps a
 * sparse or flat baseline from making any single order a z of infinity. C3 follows Hutwagner's sum
 * (surveillance writes it as an upper bound on y_t; the alarm condition is the same sum).
 *
 * False alarms — with ȳ and s estimated from 7 days, (y − ȳ)/s is √(8/7)·t₆ on Gaussian data, so C1
 * and C2 signal on about 14 days in 1 000, not the nominal 1 (gaussianFalseAlarmProbability); C3 at
 * α = 0.025 on about 65. Alerts therefore come from C2 alone by default (`alertOn`): it detects a
 * 5× spike on its first day, and its 2-day lag keeps a lasting outbreak out of its own baseline.
 * A threshold calibrated on data may replace z_{1−α} per method (`threshold`).
 *
 * Why EARS and not CUSUM on forecast residuals (which Fricker et al. 2008 found better): it needs
 * only the last 12 days, so it works for 15 000 township series from the first fortnight of data, and
 * every alert can be explained with four figures. The evaluation functions below measure it.
 */
export const earsMethods = ['C1', 'C2', 'C3'] as const;
export type EarsMethod = (typeof earsMethods)[number];

const methodSchema = z.strictObject({
  /** Days between the baseline's last day and the day tested, less one (C1: 0, C2 and C3: 2). */
  lagDays: z.int().min(0),
  /** Nominal false-alarm probability per day; the threshold is the normal quantile z_{1−α}. */
  alpha: z.number().gt(0).lt(0.5),
  /** A threshold calibrated on data (as Fricker et al. do to compare methods), replacing z_{1−α}. */
  threshold: z.number().gt(0).optional(),
});

export const earlyWarningRulesSchema = z.strictObject({
  version: z.string(),
  note: z.string().optional(),
  categoryLevel: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  areaLevels: z.array(z.enum(['district', 'street'])).min(1),
  baselineDays: z.int().min(3),
  methods: z.strictObject({
    C1: methodSchema,
    C2: methodSchema,
    C3: methodSchema.extend({
      /** Days whose C2 excesses are summed (the current and the previous ones). */
      days: z.int().min(1),
      /** The C2 value below which a day adds nothing to C3. */
      excess: z.number().min(0),
    }),
  }),
  /** σ_min: the least standard deviation used (surveillance's minSigma). */
  minSigma: z.number().gt(0),
  /** No alert on a day with fewer orders than this, whatever the statistic. */
  minObserved: z.int().min(1),
  /** The methods that raise alerts, most specific first: an alert names the first that signalled. */
  alertOn: z.array(z.enum(earsMethods)).min(1),
});
export type EarlyWarningRules = z.infer<typeof earlyWarningRulesSchema>;

export const earsThreshold = (rules: EarlyWarningRules, method: EarsMethod): number =>
  rules.methods[method].threshold ?? normalQuantile(1 - rules.methods[method].alpha);

/** Days of history a method needs before the day tested. */
export const earsHistoryDays = (rules: EarlyWarningRules, method: EarsMethod): number => {
  const c2 = rules.baselineDays + rules.methods.C2.lagDays;
  if (method === 'C1') return rules.baselineDays + rules.methods.C1.lagDays;
  if (method === 'C2') return c2;
  return c2 + rules.methods.C3.days - 1;
};

/** The first day daily_counts.sql must return so that every method can test `fromDay`. */
export const earsWindowStart = (fromDay: string, rules: EarlyWarningRules): string =>
  addDays(fromDay, -Math.max(...earsMethods.map((m) => earsHistoryDays(rules, m))));

export interface EarsValue {
  readonly statistic: number;
  /** The baseline mean. */
  readonly expected: number;
  /** The standard deviation used (after σ_min). */
  readonly sigma: number;
}

const baselineValue = (
  counts: ArrayLike<number>,
  t: number,
  baselineDays: number,
  lagDays: number,
  minSigma: number,
): EarsValue | null => {
  const end = t - 1 - lagDays;
  const start = end - baselineDays + 1;
  if (start < 0) return null;
  let sum = 0;
  for (let i = start; i <= end; i++) sum += counts[i] ?? 0;
  const mean = sum / baselineDays;
  let ss = 0;
  for (let i = start; i <= end; i++) ss += ((counts[i] ?? 0) - mean) ** 2;
  const sigma = Math.max(Math.sqrt(ss / (baselineDays - 1)), minSigma);
  return { statistic: ((counts[t] ?? 0) - mean) / sigma, expected: mean, sigma };
};

/** A method's statistic on day `t` of a series, or null without enough history. */
export const earsValue = (
  counts: ArrayLike<number>,
  t: number,
  rules: EarlyWarningRules,
  method: EarsMethod,
): EarsValue | null => {
  if (method !== 'C3')
    return baselineValue(counts, t, rules.baselineDays, rules.methods[method].lagDays, rules.minSigma);
  const { days, excess, lagDays } = rules.methods.C3;
  // C2 of day t, then of the days − 1 days before it (each null, and so C3, without its baseline)
  const today = baselineValue(counts, t, rules.baselineDays, lagDays, rules.minSigma);
  if (today === null) return null;
  let statistic = Math.max(0, today.statistic - excess);
  for (let i = 1; i < days; i++) {
    const c2 = baselineValue(counts, t - i, rules.baselineDays, lagDays, rules.minSigma);
    if (c2 === null) return null;
    statistic += Math.max(0, c2.statistic - excess);
  }
  return { statistic, expected: today.expected, sigma: today.sigma };
};

/** Whether a method signals on day `t` (false without enough history). */
export const earsSignals = (
  counts: ArrayLike<number>,
  t: number,
  rules: EarlyWarningRules,
  method: EarsMethod,
  threshold = earsThreshold(rules, method),
): boolean => {
  if ((counts[t] ?? 0) < rules.minObserved) return false;
  const value = earsValue(counts, t, rules, method);
  return value !== null && value.statistic > threshold;
};

// Days as YYYY-MM-DD (CST calendar days, as the analytics rows carry them).
const dayNumber = (day: string): number => Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
export const addDays = addDaysToDate;

/** One row of analytics/sql/daily_counts.sql. */
export interface DailyCount {
  readonly category: string;
  /** District or street code, as the query was asked. */
  readonly area: string;
  readonly day: string;
  readonly orders: number;
}

export const dailyCountsFrom = (rows: readonly Readonly<Record<string, unknown>>[]): DailyCount[] =>
  rows.map((r) => ({
    category: String(r.category),
    area: String(r.area),
    day: String(r.day),
    orders: Number(r.orders),
  }));

export interface SeriesKey {
  readonly category: string;
  readonly areaLevel: 'district' | 'street';
  readonly areaCode: string;
}

export interface DailySeries extends SeriesKey {
  readonly firstDay: string;
  /** Orders per day from firstDay, consecutive, zero-filled. */
  readonly counts: readonly number[];
}

/** The series of one area level from the SQL rows, every day from `from` to `to` (zero-filled). */
export const dailySeries = (
  rows: readonly DailyCount[],
  areaLevel: SeriesKey['areaLevel'],
  from: string,
  to: string,
): DailySeries[] => {
  const first = dayNumber(from);
  const length = dayNumber(to) - first + 1;
  const byKey = new Map<string, { category: string; areaCode: string; counts: number[] }>();
  for (const r of rows) {
    const t = dayNumber(r.day) - first;
    if (t < 0 || t >= length) continue;
    const key = `${r.category}\u0000${r.area}`;
    let series = byKey.get(key);
    if (!series) {
      series = { category: r.category, areaCode: r.area, counts: new Array<number>(length).fill(0) };
      byKey.set(key, series);
    }
    series.counts[t] = (series.counts[t] ?? 0) + Number(r.orders);
  }
  return [...byKey.values()]
    .sort((a, b) => a.category.localeCompare(b.category) || a.areaCode.localeCompare(b.areaCode))
    .map((s) => ({ ...s, areaLevel, firstDay: from }));
};

export interface EarsSignal extends EarsValue {
  readonly method: EarsMethod;
  readonly threshold: number;
}

/** An aberration: a series and day where an `alertOn` method signalled, with its figures. */
export interface Alert extends SeriesKey {
  readonly day: string;
  readonly observed: number;
  /** The first of `alertOn` that signalled; its figures below. */
  readonly method: EarsMethod;
  readonly expected: number;
  readonly sigma: number;
  readonly statistic: number;
  readonly threshold: number;
  /** Every method that signalled that day. */
  readonly signals: readonly EarsSignal[];
}

/** The alerts on the days `fromDay` … the series' end (default: its last day). */
export const detectAberrations = (
  series: readonly DailySeries[],
  rules: EarlyWarningRules,
  fromDay?: string,
): Alert[] => {
  const thresholds = new Map(earsMethods.map((m) => [m, earsThreshold(rules, m)]));
  const alerts: Alert[] = [];
  for (const s of series) {
    // the index of the first day tested (negative when fromDay precedes the series: every day)
    const start = fromDay === undefined ? s.counts.length - 1 : dayNumber(fromDay) - dayNumber(s.firstDay);
    for (const [t, observed] of s.counts.entries()) {
      if (t < start || observed < rules.minObserved) continue;
      const signals: EarsSignal[] = [];
      for (const method of rules.alertOn) {
        const value = earsValue(s.counts, t, rules, method);
        const threshold = thresholds.get(method) ?? Number.POSITIVE_INFINITY;
        if (value !== null && value.statistic > threshold) signals.push({ method, threshold, ...value });
      }
      const primary = signals[0];
      if (!primary) continue;
      alerts.push({
        category: s.category,
        areaLevel: s.areaLevel,
        areaCode: s.areaCode,
        day: addDays(s.firstDay, t),
        observed,
        method: primary.method,
        expected: primary.expected,
        sigma: primary.sigma,
        statistic: primary.statistic,
        threshold: primary.threshold,
        signals,
      });
    }
  }
  return alerts.sort(
    (a, b) => b.day.localeCompare(a.day) || b.statistic / b.threshold - a.statistic / a.threshold,
  );
};

// --- Evaluation: detection delay on planted spikes, false alarms on clean series -------------------

/** 'alert' = any of `alertOn`, as the alerts are raised. */
export type EvaluatedMethod = EarsMethod | 'alert';

const signalsOn = (
  counts: ArrayLike<number>,
  t: number,
  rules: EarlyWarningRules,
  method: EvaluatedMethod,
) =>
  method === 'alert'
    ? rules.alertOn.some((m) => earsSignals(counts, t, rules, m))
    : earsSignals(counts, t, rules, method);

/**
 * Days from a spike's first day to the first signal (0 = the same day), looking at most `maxDelay`
 * days on; null when the spike went undetected.
 */
export const detectionDelay = (
  counts: ArrayLike<number>,
  spikeStart: number,
  rules: EarlyWarningRules,
  method: EvaluatedMethod = 'alert',
  maxDelay = 7,
): number | null => {
  // the last day looked at: maxDelay days on, or the series' last day if sooner
  // Stryker disable next-line ArithmeticOperator: equivalent, a day past the series' end has no orders (0 < minObserved) and never signals
  const lastDelay = Math.min(maxDelay, counts.length - 1 - spikeStart);
  for (let d = 0; d <= lastDelay; d++) if (signalsOn(counts, spikeStart + d, rules, method)) return d;
  return null;
};

export interface FalseAlarmRate {
  readonly alarms: number;
  /** Days tested: those with the full history the method needs. */
  readonly seriesDays: number;
  readonly per1000: number;
}

/** Signals per 1 000 series-days on series with nothing planted: every signal is a false alarm. */
export const falseAlarmRate = (
  series: readonly ArrayLike<number>[],
  rules: EarlyWarningRules,
  method: EvaluatedMethod = 'alert',
): FalseAlarmRate => {
  const history =
    method === 'alert'
      ? Math.min(...rules.alertOn.map((m) => earsHistoryDays(rules, m)))
      : earsHistoryDays(rules, method);
  let alarms = 0;
  let seriesDays = 0;
  for (const counts of series)
    for (let t = history; t < counts.length; t++) {
      seriesDays++;
      if (signalsOn(counts, t, rules, method)) alarms++;
    }
  return { alarms, seriesDays, per1000: seriesDays === 0 ? 0 : (1000 * alarms) / seriesDays };
};

/**
 * The false-alarm probability per day of C1 or C2 on Gaussian data, with the baseline's mean and
 * standard deviation estimated from `baselineDays` days: (y − ȳ)/s ~ √(1 + 1/n) · t_{n−1}, so
 * P(alarm) = P(t_{n−1} > z_{1−α} / √(1 + 1/n)) — about 14 in 1 000 for n = 7 and α = 0.001, not the
 * nominal 1. σ_min and `minObserved` only lower it for counts.
 */
export const gaussianFalseAlarmProbability = (rules: EarlyWarningRules, method: 'C1' | 'C2'): number => {
  const n = rules.baselineDays;
  return studentTSurvival(earsThreshold(rules, method) / Math.sqrt(1 + 1 / n), n - 1);
};

export interface PlantedSpike extends SeriesKey {
  /** First day of the spike. */
  readonly day: string;
}

export interface MethodEvaluation {
  readonly method: EvaluatedMethod;
  readonly spikes: number;
  readonly detected: number;
  readonly meanDelayDays: number | null;
  readonly maxDelayDays: number | null;
  readonly falseAlarms: FalseAlarmRate;
}

const keyOf = (k: SeriesKey) => `${k.category}\u0000${k.areaLevel}\u0000${k.areaCode}`;

/**
 * Each method, and the alert rule, on data with planted spikes: detection delay on the planted
 * series, false alarms per 1 000 series-days on every other series.
 */
export const evaluateEarlyWarning = (
  series: readonly DailySeries[],
  planted: readonly PlantedSpike[],
  rules: EarlyWarningRules,
  maxDelay = 7,
): MethodEvaluation[] => {
  const byKey = new Map(series.map((s) => [keyOf(s), s]));
  const plantedKeys = new Set(planted.map(keyOf));
  const clean = series.filter((s) => !plantedKeys.has(keyOf(s))).map((s) => s.counts);
  return [...earsMethods, 'alert' as const].map((method) => {
    const delays = planted.map((p) => {
      const s = byKey.get(keyOf(p));
      return s
        ? detectionDelay(s.counts, dayNumber(p.day) - dayNumber(s.firstDay), rules, method, maxDelay)
        : null;
    });
    const found = delays.filter((d): d is number => d !== null);
    return {
      method,
      spikes: planted.length,
      detected: found.length,
      meanDelayDays: found.length === 0 ? null : found.reduce((s, d) => s + d, 0) / found.length,
      maxDelayDays: found.length === 0 ? null : Math.max(...found),
      falseAlarms: falseAlarmRate(clean, rules, method),
    };
  });
};

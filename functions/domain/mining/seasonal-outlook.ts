import * as z from 'zod';
import { addMonthsToMonth } from '../china-time.ts';
import { normalQuantile, studentTQuantile } from './distributions.ts';
import {
  type AccuracyReport,
  accuracy,
  type ForecastOutcome,
  seasonalNaiveScale,
} from './forecast-metrics.ts';

/**
 * Seasonal outlook (冬病夏治, 未诉先办): each category's monthly volume for the next months, with
 * prediction intervals, and the "prepare now" list of problems whose season is about to start.
 *
 * Model — seasonal means with a damped log-linear trend. On z = ln(1 + orders) over the last
 * `fitMonths` months: z_t = c_{m(t)} + b·t + e_t, one mean per calendar month and one slope shared by
 * all months (ordinary least squares; the slope is the pooled within-month slope, so a year's growth
 * is learnt from every month at once). Forecast h months ahead: ẑ = z̄_m + b·(T − t̄_m + φ + … + φ^h),
 * the trend damped by φ beyond the last month (Gardner & McKenzie); the point forecast is e^ẑ − 1
 * (the median). Averaging each calendar month over the years keeps one odd year from repeating, and
 * the trend carries the growth that the seasonal naive misses. Closed form: deterministic and fast.
 *
 * Intervals — analytic: the regression's prediction interval on the log scale,
 * ẑ ± t_{(1+L)/2, n−13} · σ̂ √(1 + 1/n_m + d²/Sxx), mapped back by e^x − 1 (hence asymmetric).
 * The backtest reports how well they cover.
 *
 * Baseline — seasonal naive, ŷ_{T+h} = y_{T+h−12}, with the normal interval of its in-sample errors
 * (σ of y_t − y_{t−12}, as Hyndman & Athanasopoulos, FPP3 §5.5).
 *
 * Backtest — rolling origin over the last `backtestMonths` months: each origin refits on the months
 * before it and forecasts horizons 1…H inside the held-out months. MASE is scaled by the seasonal
 * naive's in-sample MAE on the data before the first origin (the same scale for both forecasts, so
 * the seasonal naive scores about 1), sMAPE as M4, and the coverage of each interval.
 *
 * History — at least `minHistoryMonths` (≥ 24) complete months: a calendar month's effect can only be
 * told from trend and noise with two years of it; with less, the only honest forecast is last year's
 * month, which is the baseline itself. Shorter series are reported as `insufficient_history`.
 */
export const outlookRulesSchema = z.strictObject({
  version: z.string(),
  note: z.string().optional(),
  /** Taxonomy level of the categories forecast (1, 2 or 3). */
  categoryLevel: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  horizonMonths: z.int().min(1).max(12),
  intervalLevels: z.array(z.number().gt(0).lt(1)).min(1),
  minHistoryMonths: z.int().min(24),
  fitMonths: z.int().min(24),
  /** φ, the damping of the trend beyond the last month (1 = undamped). */
  trendDamping: z.number().gt(0).max(1),
  backtestMonths: z.int().min(1).max(24),
  season: z.strictObject({
    /** A calendar month is in season when its seasonal index (month ÷ average month) reaches this. */
    startIndex: z.number().gt(1),
    /** Categories with fewer orders per month (last 12 months) are not listed. */
    minMonthlyOrders: z.number().min(0),
    /** Townships named per problem. */
    townships: z.int().min(1),
    maxItems: z.int().min(1),
  }),
});
export type OutlookRules = z.infer<typeof outlookRulesSchema>;

const PERIOD = 12;

/** One row of analytics/sql/category_month_counts.sql. */
export interface CategoryMonthCount {
  readonly category: string;
  /** CST month, YYYY-MM. */
  readonly month: string;
  readonly orders: number;
}

/** One row of analytics/sql/category_street_month_counts.sql. */
export interface CategoryStreetMonthCount {
  readonly category: string;
  readonly street: string;
  readonly month: string;
  readonly orders: number;
}

/** A result row as the analytics engines return it (DuckDB locally, Athena in AWS). */
export type ResultRow = Readonly<Record<string, unknown>>;

export const categoryMonthCountsFrom = (rows: readonly ResultRow[]): CategoryMonthCount[] =>
  rows.map((r) => ({ category: String(r.category), month: String(r.month), orders: Number(r.orders) }));

export const categoryStreetMonthCountsFrom = (rows: readonly ResultRow[]): CategoryStreetMonthCount[] =>
  rows.map((r) => ({
    category: String(r.category),
    street: String(r.street),
    month: String(r.month),
    orders: Number(r.orders),
  }));

export interface MonthlySeries {
  readonly category: string;
  readonly firstMonth: string;
  /** Orders per month from firstMonth, consecutive, zero-filled. */
  readonly counts: readonly number[];
}

export type IntervalBounds = Readonly<Record<string, { readonly lower: number; readonly upper: number }>>;

export interface ForecastMonth {
  readonly month: string;
  readonly point: number;
  /** Keyed by level: '0.8', '0.95'. */
  readonly intervals: IntervalBounds;
}

export interface Backtest {
  readonly origins: number;
  readonly model: AccuracyReport;
  readonly seasonalNaive: AccuracyReport;
  /** The model's MASE is below the seasonal naive's (its MAE, when there is no scale). */
  readonly beatsBaseline: boolean;
}

export interface CategoryOutlook {
  readonly category: string;
  readonly status: 'ok' | 'insufficient_history';
  readonly historyMonths: number;
  /** Mean orders per month over the last 12 months. */
  readonly meanMonthlyOrders: number;
  readonly forecast: readonly ForecastMonth[];
  readonly seasonalNaive: readonly ForecastMonth[];
  /** Month ÷ average month, January … December (null without enough history). */
  readonly seasonalIndex: readonly number[] | null;
  /** Trend, in % per year (log-linear slope × 12). */
  readonly trendPerYear: number | null;
  readonly backtest: Backtest | null;
}

export interface OutlookSummary {
  readonly categories: number;
  readonly backtested: number;
  readonly beatBaseline: number;
  /** Mean over backtested categories. */
  readonly meanMase: { readonly model: number | null; readonly seasonalNaive: number | null };
  readonly meanSmape: { readonly model: number | null; readonly seasonalNaive: number | null };
  /** Pooled over every backtest forecast, per level. */
  readonly coverage: {
    readonly model: Record<string, number>;
    readonly seasonalNaive: Record<string, number>;
  };
}

export interface SeasonalOutlook {
  readonly lastCompleteMonth: string;
  readonly months: readonly string[];
  readonly method: string;
  readonly intervalMethod: string;
  readonly categories: readonly CategoryOutlook[];
  readonly summary: OutlookSummary;
}

// Months as integers (year × 12 + month − 1) for arithmetic.
export const monthNumber = (month: string): number => {
  const [y, m] = month.split('-').map(Number);
  return (y ?? 0) * 12 + (m ?? 1) - 1;
};
export const monthLabel = (n: number): string =>
  `${Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, '0')}`;
export const addMonths = addMonthsToMonth;
const calendarMonth = (n: number) => ((n % 12) + 12) % 12;

/**
 * The categories' series from the SQL rows: every month from the store's first month to the last
 * complete one, zero-filled (a month without orders of a category had none); later months dropped.
 */
export const monthlySeries = (
  rows: readonly CategoryMonthCount[],
  lastCompleteMonth: string,
): MonthlySeries[] => {
  const last = monthNumber(lastCompleteMonth);
  const kept = rows.filter((r) => monthNumber(r.month) <= last);
  // Stryker disable next-line ConditionalExpression: equivalent when false, no row gives no series below either
  if (kept.length === 0) return [];
  const first = Math.min(...kept.map((r) => monthNumber(r.month)));
  const byCategory = new Map<string, number[]>();
  for (const r of kept) {
    let counts = byCategory.get(r.category);
    if (!counts) {
      counts = new Array<number>(last - first + 1).fill(0);
      byCategory.set(r.category, counts);
    }
    counts[monthNumber(r.month) - first] = (counts[monthNumber(r.month) - first] ?? 0) + Number(r.orders);
  }
  return [...byCategory]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([category, counts]) => ({ category, firstMonth: monthLabel(first), counts }));
};

/** The fitted model: per calendar month its mean log volume and mean time; one shared slope. */
interface SeasonalTrendFit {
  readonly slope: number;
  readonly monthMean: readonly number[];
  readonly monthTime: readonly number[];
  readonly monthN: readonly number[];
  readonly sxx: number;
  readonly sigma2: number;
  readonly dof: number;
  /** Index (from the series' first month) of the last month fitted. */
  readonly lastT: number;
  /** Calendar month (0 = January) of the series' first month. */
  readonly firstCalendarMonth: number;
}

const fitSeasonalTrend = (
  counts: readonly number[],
  firstCalendarMonth: number,
  fitMonths: number,
): SeasonalTrendFit => {
  const lastT = counts.length - 1;
  const start = Math.max(0, counts.length - fitMonths);
  // Stryker disable ArrayDeclaration: equivalent, an empty array fills the same 12 slots (the fit has ≥ 24 consecutive months)
  const sumT = new Array<number>(PERIOD).fill(0);
  const sumZ = new Array<number>(PERIOD).fill(0);
  const n = new Array<number>(PERIOD).fill(0);
  // Stryker restore ArrayDeclaration
  for (let t = start; t <= lastT; t++) {
    const m = calendarMonth(firstCalendarMonth + t);
    sumT[m] = (sumT[m] ?? 0) + t;
    sumZ[m] = (sumZ[m] ?? 0) + Math.log1p(counts[t] ?? 0);
    n[m] = (n[m] ?? 0) + 1;
  }
  const monthTime = sumT.map((s, m) => s / (n[m] || 1));
  const monthMean = sumZ.map((s, m) => s / (n[m] || 1));
  let sxx = 0;
  let sxz = 0;
  for (let t = start; t <= lastT; t++) {
    const m = calendarMonth(firstCalendarMonth + t);
    const dt = t - (monthTime[m] ?? 0);
    sxx += dt * dt;
    const z = Math.log1p(counts[t] ?? 0);
    // Σ (t − t̄_m) over a month is 0, so the month mean changes Sxz only by rounding (a flat series gets 0 exactly).
    // Stryker disable next-line ArithmeticOperator,LogicalOperator: equivalent, adding or dropping the month mean leaves Sxz alone
    const deviation = z - (monthMean[m] ?? 0);
    sxz += dt * deviation;
  }
  // Sxx > 0: the fit has at least 24 months (the rules' minimum), every calendar month twice.
  const slope = sxz / sxx;
  let rss = 0;
  for (let t = start; t <= lastT; t++) {
    const m = calendarMonth(firstCalendarMonth + t);
    const e = Math.log1p(counts[t] ?? 0) - (monthMean[m] ?? 0) - slope * (t - (monthTime[m] ?? 0));
    rss += e * e;
  }
  const dof = lastT - start + 1 - (PERIOD + 1);
  return { slope, monthMean, monthTime, monthN: n, sxx, sigma2: rss / dof, dof, lastT, firstCalendarMonth };
};

const forecastModel = (
  fit: SeasonalTrendFit,
  horizon: number,
  damping: number,
  levels: readonly number[],
  monthOf: (t: number) => string,
): ForecastMonth[] => {
  const out: ForecastMonth[] = [];
  let damped = 0;
  for (let h = 1; h <= horizon; h++) {
    damped += damping ** h;
    const t0 = fit.lastT + h;
    const m = calendarMonth(fit.firstCalendarMonth + t0);
    const distance = fit.lastT - (fit.monthTime[m] ?? 0) + damped;
    const zHat = (fit.monthMean[m] ?? 0) + fit.slope * distance;
    const se = Math.sqrt(
      fit.sigma2 * (1 + 1 / (fit.monthN[m] || 1) + (distance * distance) / (fit.sxx || 1)),
    );
    const intervals = Object.fromEntries(
      levels.map((level) => {
        const q = studentTQuantile((1 + level) / 2, fit.dof);
        return [
          String(level),
          { lower: Math.max(0, Math.expm1(zHat - q * se)), upper: Math.expm1(zHat + q * se) },
        ];
      }),
    );
    out.push({ month: monthOf(t0), point: Math.max(0, Math.expm1(zHat)), intervals });
  }
  return out;
};

const forecastSeasonalNaive = (
  counts: readonly number[],
  horizon: number,
  levels: readonly number[],
  monthOf: (t: number) => string,
): ForecastMonth[] => {
  let sum = 0;
  let n = 0;
  for (let t = PERIOD; t < counts.length; t++) {
    const e = (counts[t] ?? 0) - (counts[t - PERIOD] ?? 0);
    sum += e * e;
    n++;
  }
  const sigma = n > 0 ? Math.sqrt(sum / n) : 0;
  const lastT = counts.length - 1;
  const out: ForecastMonth[] = [];
  for (let h = 1; h <= Math.min(horizon, PERIOD); h++) {
    const point = counts[lastT + h - PERIOD] ?? 0;
    const intervals = Object.fromEntries(
      levels.map((level) => {
        const q = normalQuantile((1 + level) / 2);
        return [String(level), { lower: Math.max(0, point - q * sigma), upper: point + q * sigma }];
      }),
    );
    out.push({ month: monthOf(lastT + h), point, intervals });
  }
  return out;
};

const seasonalIndexOf = (fit: SeasonalTrendFit): number[] => {
  // Month effects with the trend taken out (each month's mean moved back to time 0 along the slope),
  // as ratios to the average month; any common time would do, the ratio cancels it.
  const effects = new Array<number>(PERIOD).fill(0).map((_, calendar) => {
    const m = calendarMonth(calendar);
    return Math.exp((fit.monthMean[m] ?? 0) - fit.slope * (fit.monthTime[m] ?? 0));
  });
  const mean = effects.reduce((s, e) => s + e, 0) / PERIOD;
  return effects.map((e) => e / mean);
};

const toOutcomes = (
  forecasts: readonly ForecastMonth[],
  actualOf: (month: string) => number,
): ForecastOutcome[] =>
  forecasts.map((f) => ({ actual: actualOf(f.month), point: f.point, intervals: f.intervals }));

const backtestSeries = (series: MonthlySeries, rules: OutlookRules): Backtest | null => {
  const { counts } = series;
  const T = counts.length;
  const first = monthNumber(series.firstMonth);
  const monthOf = (t: number) => monthLabel(first + t);
  const actualOf = (month: string) => counts[monthNumber(month) - first] ?? 0;
  // Origins: the last month of each training set; its forecasts stay inside the held-out months.
  const origins: number[] = [];
  for (let e = T - rules.backtestMonths - 1; e <= T - 2; e++)
    if (e + 1 >= rules.minHistoryMonths) origins.push(e);
  const firstOrigin = origins[0];
  if (firstOrigin === undefined) return null;
  const scale = seasonalNaiveScale(counts.slice(0, firstOrigin + 1), PERIOD);
  const model: ForecastOutcome[] = [];
  const naive: ForecastOutcome[] = [];
  for (const e of origins) {
    const train = counts.slice(0, e + 1);
    const horizon = Math.min(rules.horizonMonths, T - 1 - e);
    const fit = fitSeasonalTrend(train, calendarMonth(first), rules.fitMonths);
    model.push(
      ...toOutcomes(forecastModel(fit, horizon, rules.trendDamping, rules.intervalLevels, monthOf), actualOf),
    );
    naive.push(...toOutcomes(forecastSeasonalNaive(train, horizon, rules.intervalLevels, monthOf), actualOf));
  }
  const modelReport = accuracy(model, scale, rules.intervalLevels);
  const naiveReport = accuracy(naive, scale, rules.intervalLevels);
  return {
    origins: origins.length,
    model: modelReport,
    seasonalNaive: naiveReport,
    // Both MASEs divide by the same scale, so they order the forecasts as their MAEs do; the MAEs
    // still decide when the history before the first origin repeats exactly (no scale).
    beatsBaseline: modelReport.mae < naiveReport.mae,
  };
};

/** One category's outlook: forecast, seasonal profile and backtest. */
export const categoryOutlook = (series: MonthlySeries, rules: OutlookRules): CategoryOutlook => {
  const { counts } = series;
  const first = monthNumber(series.firstMonth);
  const monthOf = (t: number) => monthLabel(first + t);
  const recent = counts.slice(-PERIOD);
  const meanMonthlyOrders = recent.reduce((s, c) => s + c, 0) / Math.max(1, recent.length);
  const naive =
    counts.length >= PERIOD
      ? forecastSeasonalNaive(counts, rules.horizonMonths, rules.intervalLevels, monthOf)
      : [];
  if (counts.length < rules.minHistoryMonths)
    return {
      category: series.category,
      status: 'insufficient_history',
      historyMonths: counts.length,
      meanMonthlyOrders,
      forecast: [],
      seasonalNaive: naive,
      seasonalIndex: null,
      trendPerYear: null,
      backtest: null,
    };
  const fit = fitSeasonalTrend(counts, calendarMonth(first), rules.fitMonths);
  return {
    category: series.category,
    status: 'ok',
    historyMonths: counts.length,
    meanMonthlyOrders,
    forecast: forecastModel(fit, rules.horizonMonths, rules.trendDamping, rules.intervalLevels, monthOf),
    seasonalNaive: naive,
    seasonalIndex: seasonalIndexOf(fit),
    trendPerYear: Math.expm1(fit.slope * PERIOD),
    backtest: backtestSeries(series, rules),
  };
};

const mean = (values: readonly number[]): number | null =>
  values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length;

const pooledCoverage = (
  reports: readonly AccuracyReport[],
  levels: readonly number[],
): Record<string, number> => {
  const total = reports.reduce((s, r) => s + r.forecasts, 0);
  return Object.fromEntries(
    levels.map((l) => [
      String(l),
      total === 0 ? 0 : reports.reduce((s, r) => s + (r.coverage[String(l)] ?? 0) * r.forecasts, 0) / total,
    ]),
  );
};

export const summariseOutlook = (
  categories: readonly CategoryOutlook[],
  levels: readonly number[],
): OutlookSummary => {
  const tested = categories.flatMap((c) => (c.backtest ? [c.backtest] : []));
  const masesOf = (pick: (b: Backtest) => AccuracyReport) =>
    tested.flatMap((b) => {
      const m = pick(b).mase;
      return m === null ? [] : [m];
    });
  return {
    categories: categories.length,
    backtested: tested.length,
    beatBaseline: tested.filter((b) => b.beatsBaseline).length,
    meanMase: { model: mean(masesOf((b) => b.model)), seasonalNaive: mean(masesOf((b) => b.seasonalNaive)) },
    meanSmape: {
      model: mean(tested.map((b) => b.model.smape)),
      seasonalNaive: mean(tested.map((b) => b.seasonalNaive.smape)),
    },
    coverage: {
      model: pooledCoverage(
        tested.map((b) => b.model),
        levels,
      ),
      seasonalNaive: pooledCoverage(
        tested.map((b) => b.seasonalNaive),
        levels,
      ),
    },
  };
};

/** The outlook of every category from the rows of category_month_counts.sql. */
export const seasonalOutlook = (
  rows: readonly CategoryMonthCount[],
  lastCompleteMonth: string,
  rules: OutlookRules,
): SeasonalOutlook => {
  const categories = monthlySeries(rows, lastCompleteMonth).map((s) => categoryOutlook(s, rules));
  return {
    lastCompleteMonth,
    months: Array.from({ length: rules.horizonMonths }, (_, i) => addMonths(lastCompleteMonth, i + 1)),
    method: `seasonal means with a damped log-linear trend (φ = ${rules.trendDamping}, last ${rules.fitMonths} months)`,
    intervalMethod: 'analytic: least-squares prediction interval on ln(1 + orders), Student t quantiles',
    categories,
    summary: summariseOutlook(categories, rules.intervalLevels),
  };
};

const lastDayOf = (month: string): string => {
  const n = monthNumber(month);
  const day = new Date(Date.UTC(Math.floor(n / 12), (n % 12) + 1, 0)).getUTCDate();
  return `${month}-${day}`; // 28 … 31: always two digits
};

/**
 * The dates for category_street_month_counts.sql: the forecast months one year earlier, whose
 * townships tell who is hit when the season comes.
 */
export const sameMonthsLastYear = (
  outlook: Pick<SeasonalOutlook, 'months'>,
): { from: string; to: string } => {
  // Stryker disable next-line StringLiteral: equivalent, the months are never empty (horizonMonths ≥ 1), and any text that is not a month gives the same NaN dates
  const first = outlook.months[0] ?? '';
  const last = outlook.months[outlook.months.length - 1] ?? first;
  return { from: `${addMonths(first, -PERIOD)}-01`, to: lastDayOf(addMonths(last, -PERIOD)) };
};

export interface AffectedTownship {
  readonly street: string;
  /** Orders of the category there in the same months last year. */
  readonly ordersLastYear: number;
  readonly share: number;
  /** The share applied to this year's expected volume. */
  readonly expectedOrders: number;
}

export interface PrepareItem {
  readonly category: string;
  /** The first month in season, inside the horizon. */
  readonly seasonStart: string;
  /** Months from the last complete month to the season's start. */
  readonly leadMonths: number;
  readonly seasonalIndex: number;
  readonly seasonMonths: readonly string[];
  /** Sum of the point forecasts over the season's months in the horizon. */
  readonly expectedOrders: number;
  readonly forecast: readonly ForecastMonth[];
  readonly townships: readonly AffectedTownship[];
}

/**
 * "Prepare now" (未诉先办): problems whose season starts within the horizon — a forecast month whose
 * seasonal index reaches `season.startIndex` while the month before it does not — ranked by expected
 * volume, each with the townships that had most of it in the same months last year.
 */
export const prepareNow = (
  outlook: SeasonalOutlook,
  streetCounts: readonly CategoryStreetMonthCount[],
  rules: OutlookRules,
): PrepareItem[] => {
  const { season } = rules;
  const items: PrepareItem[] = [];
  for (const c of outlook.categories) {
    const index = c.seasonalIndex;
    if (c.status !== 'ok' || index === null || c.meanMonthlyOrders < season.minMonthlyOrders) continue;
    const indexOf = (month: string) => index[calendarMonth(monthNumber(month))] ?? 0;
    const start = c.forecast.findIndex(
      (f) => indexOf(f.month) >= season.startIndex && indexOf(addMonths(f.month, -1)) < season.startIndex,
    );
    const startMonth = c.forecast[start]?.month;
    if (startMonth === undefined) continue;
    const inSeason: ForecastMonth[] = [];
    for (const f of c.forecast.slice(start)) {
      if (indexOf(f.month) < season.startIndex) break;
      inSeason.push(f);
    }
    const expectedOrders = inSeason.reduce((s, f) => s + f.point, 0);
    const lastYear = new Set(inSeason.map((f) => addMonths(f.month, -PERIOD)));
    const byStreet = new Map<string, number>();
    for (const r of streetCounts)
      if (r.category === c.category && lastYear.has(r.month))
        byStreet.set(r.street, (byStreet.get(r.street) ?? 0) + Number(r.orders));
    const total = [...byStreet.values()].reduce((s, v) => s + v, 0);
    const townships = [...byStreet]
      .sort(([sa, a], [sb, b]) => b - a || sa.localeCompare(sb))
      .slice(0, season.townships)
      .map(([street, orders]) => ({
        street,
        ordersLastYear: orders,
        share: total === 0 ? 0 : orders / total,
        expectedOrders: total === 0 ? 0 : (expectedOrders * orders) / total,
      }));
    items.push({
      category: c.category,
      seasonStart: startMonth,
      leadMonths: monthNumber(startMonth) - monthNumber(outlook.lastCompleteMonth),
      seasonalIndex: indexOf(startMonth),
      seasonMonths: inSeason.map((f) => f.month),
      expectedOrders,
      forecast: inSeason,
      townships,
    });
  }
  return items
    .sort((x, y) => y.expectedOrders - x.expectedOrders || x.category.localeCompare(y.category))
    .slice(0, season.maxItems);
};

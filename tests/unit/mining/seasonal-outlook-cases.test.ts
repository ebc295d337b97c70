/**
 * The seasonal outlook (冬病夏治, 未诉先办) on small series built so that every expected value can be
 * worked out by hand from the model the module documents: 1 + orders = season × growth^t (× e^noise),
 * so that ln(1 + orders) is exactly a month mean plus a slope (plus a known residual).
 */
import { describe, expect, it } from 'vitest';
import outlookJson from '#data/outlook.json' with { type: 'json' };
import type { AccuracyReport } from '#domain/mining/forecast-metrics.ts';
import {
  type Backtest,
  type CategoryOutlook,
  type CategoryStreetMonthCount,
  categoryMonthCountsFrom,
  categoryOutlook,
  categoryStreetMonthCountsFrom,
  type ForecastMonth,
  monthLabel,
  monthlySeries,
  monthNumber,
  type OutlookRules,
  outlookRulesSchema,
  prepareNow,
  type SeasonalOutlook,
  sameMonthsLastYear,
  seasonalOutlook,
  summariseOutlook,
} from '#domain/mining/seasonal-outlook.ts';

/** The deployed rules: φ 0.9, 36 months fitted, 24 of history, 12 backtested, 3 ahead, 80 % and 95 %. */
const rules = outlookRulesSchema.parse(outlookJson);
const rulesWith = (patch: Partial<OutlookRules>): OutlookRules =>
  outlookRulesSchema.parse({ ...outlookJson, ...patch });

// Student t quantiles with 11 degrees of freedom and normal quantiles, from the tables.
const T90_11 = 1.36343;
const T975_11 = 2.200985;
const Z90 = 1.281552;
const Z975 = 1.959964;

/** 1 + orders = season[calendar month] × growth^t × e^noise(t), t from 0. */
const logLinear = (
  months: number,
  firstCalendarMonth: number,
  season: readonly number[],
  growth: number,
  noise: (t: number) => number = () => 0,
): number[] =>
  Array.from(
    { length: months },
    (_, t) => (season[(firstCalendarMonth + t) % 12] ?? 1) * growth ** t * Math.exp(noise(t)) - 1,
  );

/** January twice the other months in 1 + orders: 101 and 51. */
const JANUARY_PEAK = [101, 51, 51, 51, 51, 51, 51, 51, 51, 51, 51, 51];

const expectInterval = (f: ForecastMonth | undefined, level: string, lower: number, upper: number) => {
  expect(f?.intervals[level]?.lower).toBeCloseTo(lower, 3);
  expect(f?.intervals[level]?.upper).toBeCloseTo(upper, 3);
};

describe('outlookRulesSchema', () => {
  const valid = (patch: Record<string, unknown>) =>
    outlookRulesSchema.safeParse({ ...outlookJson, ...patch }).success;
  const validSeason = (patch: Record<string, unknown>) =>
    outlookRulesSchema.safeParse({ ...outlookJson, season: { ...outlookJson.season, ...patch } }).success;

  it('returns rules at the edges of every bound', () => {
    // Act / Assess
    expect(valid({ horizonMonths: 1 })).toBe(true);
    expect(valid({ horizonMonths: 12 })).toBe(true);
    expect(valid({ intervalLevels: [0.5] })).toBe(true);
    expect(valid({ minHistoryMonths: 24, fitMonths: 24 })).toBe(true);
    expect(valid({ trendDamping: 1 })).toBe(true);
    expect(valid({ backtestMonths: 1 })).toBe(true);
    expect(valid({ backtestMonths: 24 })).toBe(true);
    expect(valid({ categoryLevel: 1 })).toBe(true);
    expect(valid({ categoryLevel: 3 })).toBe(true);
    expect(valid({ note: undefined })).toBe(true);
    expect(validSeason({ minMonthlyOrders: 0, townships: 1, maxItems: 1, startIndex: 1.01 })).toBe(true);
  });

  it('rejects rules just beyond each bound, and keys it does not know', () => {
    // Act / Assess
    expect(valid({ horizonMonths: 0 })).toBe(false);
    expect(valid({ horizonMonths: 13 })).toBe(false);
    expect(valid({ horizonMonths: 2.5 })).toBe(false);
    expect(valid({ intervalLevels: [] })).toBe(false);
    expect(valid({ intervalLevels: [0] })).toBe(false);
    expect(valid({ intervalLevels: [1] })).toBe(false);
    expect(valid({ minHistoryMonths: 23 })).toBe(false);
    expect(valid({ fitMonths: 23 })).toBe(false);
    expect(valid({ trendDamping: 0 })).toBe(false);
    expect(valid({ trendDamping: 1.01 })).toBe(false);
    expect(valid({ backtestMonths: 0 })).toBe(false);
    expect(valid({ backtestMonths: 25 })).toBe(false);
    expect(valid({ categoryLevel: 4 })).toBe(false);
    expect(valid({ version: 1 })).toBe(false);
    expect(valid({ note: 1 })).toBe(false);
    expect(valid({ extra: true })).toBe(false);
    expect(validSeason({ startIndex: 1 })).toBe(false);
    expect(validSeason({ minMonthlyOrders: -1 })).toBe(false);
    expect(validSeason({ townships: 0 })).toBe(false);
    expect(validSeason({ maxItems: 0 })).toBe(false);
    expect(validSeason({ extra: true })).toBe(false);
  });
});

describe('monthNumber and monthLabel', () => {
  it('returns months as year × 12 + month − 1, and back as YYYY-MM', () => {
    // Act / Assess
    expect(monthNumber('2025-01')).toBe(2025 * 12);
    expect(monthNumber('2025-12')).toBe(2025 * 12 + 11);
    expect(monthLabel(2025 * 12 + 11)).toBe('2025-12');
    expect(monthLabel(2026 * 12)).toBe('2026-01');
    expect(monthLabel(monthNumber('2024-09') + 4)).toBe('2025-01');
  });
});

describe('categoryMonthCountsFrom and categoryStreetMonthCountsFrom', () => {
  it('returns typed rows from engine rows whose values come back as strings or big integers', () => {
    // Prepare: Athena returns strings, DuckDB big integers
    const rows = [{ category: 7, month: '2025-03', orders: '12', extra: 1 }];
    const streetRows = [{ category: 'heating', street: 110105001, month: '2025-03', orders: 5n }];

    // Act / Assess
    expect(categoryMonthCountsFrom(rows)).toEqual([{ category: '7', month: '2025-03', orders: 12 }]);
    expect(categoryStreetMonthCountsFrom(streetRows)).toEqual([
      { category: 'heating', street: '110105001', month: '2025-03', orders: 5 },
    ]);
  });
});

describe('monthlySeries', () => {
  it('returns every category from the store’s first month, zero-filled before its own first order, rows of a month added', () => {
    // Prepare: b starts two months after a; a has two rows for February (two sub-categories)
    const rows = [
      { category: 'b', month: '2025-12', orders: 4 },
      { category: 'a', month: '2025-10', orders: 1 },
      { category: 'a', month: '2025-11', orders: 2 },
      { category: 'a', month: '2025-11', orders: 3 },
      { category: 'a', month: '2025-12', orders: 6 },
      { category: 'b', month: '2026-01', orders: 8 },
    ];

    // Act: the last complete month is kept, January 2026 dropped
    const series = monthlySeries(rows, '2025-12');

    // Assess
    expect(series).toEqual([
      { category: 'a', firstMonth: '2025-10', counts: [1, 5, 6] },
      { category: 'b', firstMonth: '2025-10', counts: [0, 0, 4] },
    ]);
  });

  it('returns no series when no row is in a complete month', () => {
    // Act / Assess
    expect(monthlySeries([{ category: 'a', month: '2026-01', orders: 3 }], '2025-12')).toEqual([]);
    expect(monthlySeries([], '2025-12')).toEqual([]);
  });
});

describe('categoryOutlook — the model', () => {
  it('returns the exact continuation of a log-linear seasonal series when the trend is not damped', () => {
    // Prepare: 36 months from January 2022, 1 + orders = season × 1.01^t; φ = 1
    const counts = logLinear(36, 0, JANUARY_PEAK, 1.01);

    // Act
    const outlook = categoryOutlook(
      { category: 'x', firstMonth: '2022-01', counts },
      rulesWith({ trendDamping: 1 }),
    );

    // Assess: months t = 36, 37, 38 (January … March 2025); no residual, so no width
    expect(outlook.status).toBe('ok');
    expect(outlook.historyMonths).toBe(36);
    expect(outlook.forecast.map((f) => f.month)).toEqual(['2025-01', '2025-02', '2025-03']);
    const expected = [101 * 1.01 ** 36 - 1, 51 * 1.01 ** 37 - 1, 51 * 1.01 ** 38 - 1];
    outlook.forecast.forEach((f, h) => {
      expect(f.point).toBeCloseTo(expected[h] ?? 0, 6);
      expectInterval(f, '0.8', expected[h] ?? 0, expected[h] ?? 0);
      expectInterval(f, '0.95', expected[h] ?? 0, expected[h] ?? 0);
    });
    expect(outlook.trendPerYear).toBeCloseTo(1.01 ** 12 - 1, 10);
  });

  it('returns the seasonal index as each month over the average month, the trend taken out', () => {
    // Prepare: a growing series whose January is twice every other month
    const counts = logLinear(36, 0, JANUARY_PEAK, 1.01);

    // Act
    const outlook = categoryOutlook({ category: 'x', firstMonth: '2022-01', counts }, rules);

    // Assess: the average of 101 and eleven 51s is 662/12
    const index = outlook.seasonalIndex ?? [];
    expect(index).toHaveLength(12);
    expect(index[0]).toBeCloseTo((101 * 12) / 662, 10);
    for (const m of [1, 6, 11]) expect(index[m]).toBeCloseTo((51 * 12) / 662, 10);
  });

  it('returns the seasonal index by calendar month, January first, whatever month the series starts', () => {
    // Prepare: 36 months from October 2021; the average of the season is 55; no growth
    const season = [90, 60, 50, 40, 40, 40, 40, 40, 40, 50, 70, 100];
    const counts = logLinear(36, 9, season, 1);

    // Act
    const outlook = categoryOutlook({ category: 'x', firstMonth: '2021-10', counts }, rules);

    // Assess: the forecast is the season of October … December, since nothing grows
    expect(outlook.seasonalIndex?.map((i) => Number(i.toFixed(10)))).toEqual(
      season.map((s) => Number((s / 55).toFixed(10))),
    );
    expect(outlook.forecast.map((f) => f.month)).toEqual(['2024-10', '2024-11', '2024-12']);
    expect(outlook.forecast.map((f) => Number(f.point.toFixed(6)))).toEqual([49, 69, 99]);
    expect(outlook.trendPerYear).toBeCloseTo(0, 10);
  });

  it('returns the trend damped by φ, φ + φ², φ + φ² + φ³ months beyond the last month', () => {
    // Prepare: φ = 0.5 and the deployed φ = 0.9
    const counts = logLinear(36, 0, JANUARY_PEAK, 1.01);
    const series = { category: 'x', firstMonth: '2022-01', counts };

    // Act
    const half = categoryOutlook(series, rulesWith({ trendDamping: 0.5 })).forecast;
    const deployed = categoryOutlook(series, rules).forecast;

    // Assess: the last month is t = 35
    expect(half.map((f) => f.point)).toEqual([
      expect.closeTo(101 * 1.01 ** 35.5 - 1, 6),
      expect.closeTo(51 * 1.01 ** 35.75 - 1, 6),
      expect.closeTo(51 * 1.01 ** 35.875 - 1, 6),
    ]);
    expect(deployed.map((f) => f.point)).toEqual([
      expect.closeTo(101 * 1.01 ** 35.9 - 1, 6),
      expect.closeTo(51 * 1.01 ** 36.71 - 1, 6),
      expect.closeTo(51 * 1.01 ** 37.439 - 1, 6),
    ]);
  });

  it('returns a fit on the last fitMonths months only, an older level forgotten', () => {
    // Prepare: 48 months; the first 12 a flat 5000, then the log-linear season from t = 12
    const exact = logLinear(48, 0, JANUARY_PEAK, 1.01);
    const counts = exact.map((c, t) => (t < 12 ? 5000 : c));

    // Act: 36 months fitted (t = 12 … 47), φ = 1
    const outlook = categoryOutlook(
      { category: 'x', firstMonth: '2021-01', counts },
      rulesWith({ trendDamping: 1 }),
    );

    // Assess
    expect(outlook.forecast.map((f) => f.point)).toEqual([
      expect.closeTo(101 * 1.01 ** 48 - 1, 6),
      expect.closeTo(51 * 1.01 ** 49 - 1, 6),
      expect.closeTo(51 * 1.01 ** 50 - 1, 6),
    ]);
  });

  it('returns the least-squares prediction interval on ln(1 + orders), Student t with n − 13 dof', () => {
    // Prepare: 24 months from January 2023, 1 + orders = 101 × 1.02^t × e^(±0.1): January to June
    // +0.1 the first year and −0.1 the second, July to December the other way round. Each calendar
    // month keeps its mean, the residuals cancel in the slope (so b = ln 1.02) and are all ±0.1:
    // σ² = 24 × 0.01 / (24 − 13), n_m = 2, t̄_m = m + 6, Sxx = 24 × 6² = 864.
    const d = 0.1;
    const noise = (t: number) => (t % 12 < 6 === t < 12 ? d : -d);
    const counts = logLinear(24, 0, new Array(12).fill(101), 1.02, noise);

    // Act
    const outlook = categoryOutlook({ category: 'x', firstMonth: '2023-01', counts }, rules);

    // Assess: month h (calendar month h − 1) is d = 23 − (h + 5) + (φ + … + φ^h) from its mean time
    const b = Math.log(1.02);
    const sigma2 = (24 * d * d) / 11;
    const damped = [0.9, 1.71, 2.439];
    expect(outlook.trendPerYear).toBeCloseTo(1.02 ** 12 - 1, 10);
    expect(outlook.seasonalIndex?.map((i) => Number(i.toFixed(9)))).toEqual(new Array(12).fill(1));
    outlook.forecast.forEach((f, i) => {
      const h = i + 1;
      const distance = 23 - (h + 5) + (damped[i] ?? 0);
      const zHat = Math.log(101) + b * (23 + (damped[i] ?? 0));
      const se = Math.sqrt(sigma2 * (1 + 1 / 2 + (distance * distance) / 864));
      expect(f.point).toBeCloseTo(Math.exp(zHat) - 1, 6);
      expectInterval(f, '0.8', Math.exp(zHat - T90_11 * se) - 1, Math.exp(zHat + T90_11 * se) - 1);
      expectInterval(f, '0.95', Math.exp(zHat - T975_11 * se) - 1, Math.exp(zHat + T975_11 * se) - 1);
    });
  });

  it('returns a point and lower bounds of 0 rather than negative orders for a category that stopped', () => {
    // Prepare: 3 orders a month for a year, then none: the slope is −ln 4 / 12 a month, and January
    // (mean ln 2 at t̄ = 6) is forecast at ln 2 − (23 − 6 + 0.9) ln 4 / 12 < 0, below no orders
    const counts = Array.from({ length: 24 }, (_, t) => (t < 12 ? 3 : 0));

    // Act
    const outlook = categoryOutlook({ category: 'x', firstMonth: '2023-01', counts }, rules);

    // Assess
    expect(outlook.trendPerYear).toBeCloseTo(-0.75, 10);
    for (const f of outlook.forecast) {
      expect(f.point).toBe(0);
      expect(f.intervals['0.8']?.lower).toBe(0);
      expect(f.intervals['0.95']?.lower).toBe(0);
    }
  });
});

describe('categoryOutlook — the seasonal naive and the history', () => {
  // 14 months from January 2025; the second January is 3 above the first, February 3 below
  const counts = [10, 20, 2, 40, 50, 60, 70, 80, 90, 100, 110, 120, 13, 17];

  it('returns last year’s month with the normal interval of the year-on-year differences', () => {
    // Act
    const outlook = categoryOutlook({ category: 'x', firstMonth: '2025-01', counts }, rules);

    // Assess: σ = √((3² + 3²) / 2) = 3; months March … May 2026 repeat March … May 2025
    expect(outlook.seasonalNaive.map((f) => [f.month, f.point])).toEqual([
      ['2026-03', 2],
      ['2026-04', 40],
      ['2026-05', 50],
    ]);
    const [march, april] = outlook.seasonalNaive;
    expectInterval(march, '0.8', 0, 2 + 3 * Z90);
    expectInterval(march, '0.95', 0, 2 + 3 * Z975);
    expectInterval(april, '0.8', 40 - 3 * Z90, 40 + 3 * Z90);
    expectInterval(april, '0.95', 40 - 3 * Z975, 40 + 3 * Z975);
  });

  it('returns insufficient_history below minHistoryMonths, with the mean of the last 12 months', () => {
    // Act
    const outlook = categoryOutlook({ category: 'x', firstMonth: '2025-01', counts }, rules);

    // Assess: the last 12 months are 2, 40, 50 … 120, 13 and 17: 752 orders
    expect(outlook).toMatchObject({
      category: 'x',
      status: 'insufficient_history',
      historyMonths: 14,
      forecast: [],
      seasonalIndex: null,
      trendPerYear: null,
      backtest: null,
    });
    expect(outlook.meanMonthlyOrders).toBeCloseTo(752 / 12, 10);
  });

  it('returns a seasonal naive of zero width from exactly 12 months, and none from 11', () => {
    // Act
    const twelve = categoryOutlook(
      { category: 'x', firstMonth: '2025-01', counts: counts.slice(0, 12) },
      rules,
    );
    const eleven = categoryOutlook(
      { category: 'x', firstMonth: '2025-01', counts: counts.slice(0, 11) },
      rules,
    );

    // Assess: no year-on-year difference yet, so σ = 0
    expect(twelve.seasonalNaive.map((f) => f.point)).toEqual([10, 20, 2]);
    expect(twelve.seasonalNaive[0]?.intervals['0.95']).toEqual({ lower: 10, upper: 10 });
    expect(eleven.seasonalNaive).toEqual([]);
    expect(eleven.meanMonthlyOrders).toBeCloseTo(632 / 11, 10);
  });

  it('returns a mean of 0 orders for a category without months', () => {
    // Act
    const outlook = categoryOutlook({ category: 'x', firstMonth: '2025-01', counts: [] }, rules);

    // Assess
    expect(outlook.meanMonthlyOrders).toBe(0);
    expect(outlook.status).toBe('insufficient_history');
  });

  it('returns a forecast from exactly minHistoryMonths months, and insufficient_history one month short', () => {
    // Prepare
    const long = logLinear(24, 0, JANUARY_PEAK, 1.01);

    // Act
    const enough = categoryOutlook({ category: 'x', firstMonth: '2023-01', counts: long }, rules);
    const short = categoryOutlook({ category: 'x', firstMonth: '2023-02', counts: long.slice(1) }, rules);

    // Assess: with 24 months there is no origin with 24 months before it, so no backtest
    expect(enough.status).toBe('ok');
    expect(enough.forecast).toHaveLength(3);
    expect(enough.backtest).toBeNull();
    expect(short.status).toBe('insufficient_history');
  });
});

describe('categoryOutlook — the backtest', () => {
  // 25 months from January 2023: year 1 is 100 + m; year 2 is 4 more, but December 16 more
  // (127); month 24 (January 2025) is 113.
  const year1 = Array.from({ length: 12 }, (_, m) => 100 + m);
  const year2 = year1.map((c, m) => (m === 11 ? c + 16 : c + 4));

  it('returns one origin for 25 months: the forecast of month 25 from the first 24, scaled by their seasonal naive error', () => {
    // Prepare
    const counts = [...year1, ...year2, 113];

    // Act
    const backtest = categoryOutlook({ category: 'x', firstMonth: '2023-01', counts }, rules).backtest;

    // Assess: the scale is (11 × 4 + 16) / 12 = 5; the seasonal naive says 104 for January 2025,
    // 9 off; its σ is √((11 × 16 + 256) / 12) = 6, so 113 is outside 104 ± 6 × 1.28 and inside
    // 104 ± 6 × 1.96
    expect(backtest?.origins).toBe(1);
    expect(backtest?.model.forecasts).toBe(1);
    expect(backtest?.seasonalNaive.forecasts).toBe(1);
    expect(backtest?.seasonalNaive.mae).toBe(9);
    expect(backtest?.seasonalNaive.mase).toBeCloseTo(9 / 5, 12);
    expect(backtest?.seasonalNaive.smape).toBeCloseTo(1800 / 217, 10);
    expect(backtest?.seasonalNaive.coverage).toEqual({ '0.8': 0, '0.95': 1 });
    // The model: each month's two years give a log rise Δ_m, so the slope is ΣΔ_m × 6 / 864; January
    // (mean of ln 101 and ln 105, at t̄ = 6) is 23 − 6 + 0.9 months ahead. About 109: closer than 104.
    const rises = [...year1.keys()].map((m) => Math.log((1 + (year2[m] ?? 0)) / (1 + (year1[m] ?? 0))));
    const slope = (6 * rises.reduce((s, r) => s + r, 0)) / 864;
    const january = Math.sqrt(101 * 105) * Math.exp(slope * 17.9) - 1;
    expect(backtest?.model.mae).toBeCloseTo(113 - january, 8);
    expect(backtest?.model.mase).toBeCloseTo((113 - january) / 5, 8);
    expect(backtest?.beatsBaseline).toBe(true);
  });

  it('returns origins whose horizons stay inside the held-out months (26 months: 2 + 1 forecasts)', () => {
    // Prepare
    const counts = [...year1, ...year2, 113, 109];

    // Act
    const backtest = categoryOutlook({ category: 'x', firstMonth: '2023-01', counts }, rules).backtest;

    // Assess: origins at months 24 and 25 (horizons 2 and 1)
    expect(backtest?.origins).toBe(2);
    expect(backtest?.model.forecasts).toBe(3);
    // The naive: from the first origin 104 for January (9 off) and 105 for February (4 off); from
    // the second 105 for February again (4 off)
    expect(backtest?.seasonalNaive.mae).toBeCloseTo(17 / 3, 12);
  });

  it('returns as many origins as backtestMonths allows, each with 24 months before it', () => {
    // Prepare: 40 months
    const counts = logLinear(40, 0, JANUARY_PEAK, 1.01);

    // Act
    const three = categoryOutlook(
      { category: 'x', firstMonth: '2022-01', counts },
      rulesWith({ backtestMonths: 3 }),
    );
    const twenty = categoryOutlook(
      { category: 'x', firstMonth: '2022-01', counts },
      rulesWith({ backtestMonths: 20 }),
    );

    // Assess: origins t = 36, 37, 38 (horizons 3, 2, 1); with 20 only t = 23 … 38 have 24 months
    expect(three.backtest?.origins).toBe(3);
    expect(three.backtest?.model.forecasts).toBe(6);
    expect(twenty.backtest?.origins).toBe(16);
    expect(twenty.backtest?.model.forecasts).toBe(14 * 3 + 2 + 1);
  });

  it('returns the model beating the seasonal naive on a growing season, where it forecasts exactly', () => {
    // Prepare: 30 months of 1 + orders = season × 1.03^t, φ = 1: the model continues it exactly,
    // the seasonal naive is a year behind
    const counts = logLinear(30, 0, JANUARY_PEAK, 1.03);

    // Act
    const backtest = categoryOutlook(
      { category: 'x', firstMonth: '2022-01', counts },
      rulesWith({ trendDamping: 1 }),
    ).backtest;

    // Assess: origins t = 23 … 28 (6); the naive misses each month by (1.03^12 − 1) of last year's
    expect(backtest?.origins).toBe(6);
    expect(backtest?.model.mae).toBeCloseTo(0, 6);
    expect(backtest?.model.mase).toBeCloseTo(0, 6);
    expect(backtest?.seasonalNaive.mase).toBeGreaterThan(1);
    expect(backtest?.beatsBaseline).toBe(true);
  });

  it('returns the model beating the naive by MAE when the history before the first origin repeats exactly (no scale)', () => {
    // Prepare: 24 months repeating 100 + m, then January and February 7 above it (107, 108)
    const counts = [...year1, ...year1, 107, 108];

    // Act
    const backtest = categoryOutlook({ category: 'x', firstMonth: '2023-01', counts }, rules).backtest;

    // Assess: from month 24 both forecast last year (100, 101): 7 and 7 off. From month 25 the
    // naive says 101 again; the model has learnt January's rise: a slope of ln(108/101)/90 (January
    // now has t = 0, 12, 24; Sxx = 11 × 72 + 288 = 1080, Sxz = 12 ln(108/101)), and February is
    // 24 − 7 + 0.9 months from its mean time.
    const model25 = 102 * (108 / 101) ** (17.9 / 90) - 1;
    expect(backtest?.model.mase).toBeNull();
    expect(backtest?.seasonalNaive.mase).toBeNull();
    expect(backtest?.seasonalNaive.mae).toBeCloseTo(7, 10);
    expect(backtest?.model.mae).toBeCloseTo((7 + 7 + (108 - model25)) / 3, 6);
    expect(backtest?.beatsBaseline).toBe(true);
  });

  it('returns the seasonal naive winning when the last year repeats exactly', () => {
    // Prepare: year 2 is year 1 plus 4 (a scale of 4), and January 2025 repeats January 2024 (104):
    // the naive is exact, the model carries a trend up
    const counts = [...year1, ...year1.map((c) => c + 4), 104];

    // Act
    const backtest = categoryOutlook({ category: 'x', firstMonth: '2023-01', counts }, rules).backtest;

    // Assess
    expect(backtest?.seasonalNaive.mae).toBe(0);
    expect(backtest?.seasonalNaive.mase).toBe(0);
    expect(backtest?.model.mase).toBeGreaterThan(0);
    expect(backtest?.beatsBaseline).toBe(false);
  });

  it('returns the model not beating the naive when both forecast alike', () => {
    // Prepare: 24 months of a flat 102, then 109: both say 102 (102 comes back exactly from
    // ln(1 + 102), so the two forecasts are the same number)
    const counts = [...new Array(24).fill(102), 109];

    // Act
    const backtest = categoryOutlook({ category: 'x', firstMonth: '2023-01', counts }, rules).backtest;

    // Assess
    expect(backtest?.model.mae).toBeCloseTo(7, 10);
    expect(backtest?.seasonalNaive.mae).toBeCloseTo(7, 10);
    expect(backtest?.beatsBaseline).toBe(false);
  });
});

const report = (
  forecasts: number,
  mase: number | null,
  smape: number,
  c80: number,
  c95?: number,
): AccuracyReport => ({
  forecasts,
  mase,
  smape,
  mae: 0,
  coverage: c95 === undefined ? { '0.8': c80 } : { '0.8': c80, '0.95': c95 },
});

const outlookWith = (category: string, patch: Partial<CategoryOutlook>): CategoryOutlook => ({
  category,
  status: 'ok',
  historyMonths: 36,
  meanMonthlyOrders: 100,
  forecast: [],
  seasonalNaive: [],
  seasonalIndex: null,
  trendPerYear: 0,
  backtest: null,
  ...patch,
});

describe('summariseOutlook', () => {
  it('returns means over the backtested categories and the coverage pooled over their forecasts', () => {
    // Prepare: a with 3 forecasts, b with 1 and no scale, c not backtested
    const a: Backtest = {
      origins: 2,
      model: report(3, 0.5, 10, 2 / 3, 1),
      seasonalNaive: report(3, 1, 20, 1 / 3, 2 / 3),
      beatsBaseline: true,
    };
    const b: Backtest = {
      origins: 1,
      model: report(1, null, 30, 0, 1),
      seasonalNaive: report(1, null, 40, 1),
      beatsBaseline: false,
    };
    const categories = [
      outlookWith('a', { backtest: a }),
      outlookWith('b', { backtest: b }),
      outlookWith('c', {}),
    ];

    // Act
    const summary = summariseOutlook(categories, [0.8, 0.95]);

    // Assess: MASE over a only; sMAPE over a and b; coverage (3 × share + 1 × share) / 4, a
    // level missing from b's naive report counted as 0
    expect(summary).toEqual({
      categories: 3,
      backtested: 2,
      beatBaseline: 1,
      meanMase: { model: 0.5, seasonalNaive: 1 },
      meanSmape: { model: 20, seasonalNaive: 30 },
      coverage: {
        model: { '0.8': 0.5, '0.95': 1 },
        seasonalNaive: { '0.8': 0.5, '0.95': 0.5 },
      },
    });
  });

  it('returns nulls and zero coverage when nothing was backtested', () => {
    // Act
    const summary = summariseOutlook([outlookWith('c', {})], [0.8]);

    // Assess
    expect(summary).toEqual({
      categories: 1,
      backtested: 0,
      beatBaseline: 0,
      meanMase: { model: null, seasonalNaive: null },
      meanSmape: { model: null, seasonalNaive: null },
      coverage: { model: { '0.8': 0 }, seasonalNaive: { '0.8': 0 } },
    });
  });
});

describe('seasonalOutlook', () => {
  it('returns the months ahead, how it forecast, every category and their summary', () => {
    // Prepare: one category with 26 months from November 2023, one with orders in December 2025 only
    const rows = [
      ...logLinear(26, 10, JANUARY_PEAK, 1.01).map((orders, t) => ({
        category: 'long',
        month: monthLabel(monthNumber('2023-11') + t),
        orders,
      })),
      { category: 'new', month: '2025-12', orders: 5 },
    ];

    // Act
    const outlook = seasonalOutlook(rows, '2025-12', rulesWith({ horizonMonths: 2 }));

    // Assess
    expect(outlook.lastCompleteMonth).toBe('2025-12');
    expect(outlook.months).toEqual(['2026-01', '2026-02']);
    expect(outlook.method).toBe('seasonal means with a damped log-linear trend (φ = 0.9, last 36 months)');
    expect(outlook.intervalMethod).toBe(
      'analytic: least-squares prediction interval on ln(1 + orders), Student t quantiles',
    );
    // 'new' had no orders before December 2025: its series has the store's 26 months, zero-filled
    expect(outlook.categories.map((c) => [c.category, c.status, c.historyMonths])).toEqual([
      ['long', 'ok', 26],
      ['new', 'ok', 26],
    ]);
    expect(outlook.categories[0]?.forecast.map((f) => f.month)).toEqual(['2026-01', '2026-02']);
    expect(outlook.summary).toMatchObject({ categories: 2, backtested: 2 });
    expect(Object.keys(outlook.summary.coverage.model)).toEqual(['0.8', '0.95']);
  });
});

describe('sameMonthsLastYear', () => {
  it('returns the first day to the last day of the forecast months one year earlier', () => {
    // Act / Assess: February 2024 had 29 days, February 2025 28; April 30, December 31
    expect(sameMonthsLastYear({ months: ['2025-01', '2025-02'] })).toEqual({
      from: '2024-01-01',
      to: '2024-02-29',
    });
    expect(sameMonthsLastYear({ months: ['2025-12', '2026-01', '2026-02'] })).toEqual({
      from: '2024-12-01',
      to: '2025-02-28',
    });
    expect(sameMonthsLastYear({ months: ['2026-04'] })).toEqual({ from: '2025-04-01', to: '2025-04-30' });
    expect(sameMonthsLastYear({ months: ['2025-11', '2025-12'] })).toEqual({
      from: '2024-11-01',
      to: '2024-12-31',
    });
  });
});

describe('prepareNow', () => {
  /** A seasonal index of 1 but for the months given (0 = January). */
  const indexWith = (months: Record<number, number>): number[] =>
    Array.from({ length: 12 }, (_, m) => months[m] ?? 1);
  const forecastOf = (points: Record<string, number>): ForecastMonth[] =>
    Object.entries(points).map(([month, point]) => ({ month, point, intervals: {} }));
  const outlookOf = (lastCompleteMonth: string, categories: CategoryOutlook[]): SeasonalOutlook => ({
    lastCompleteMonth,
    months: categories[0]?.forecast.map((f) => f.month) ?? [],
    method: '',
    intervalMethod: '',
    categories,
    summary: summariseOutlook([], []),
  });
  // After September: October, November, December
  const autumn = forecastOf({ '2025-10': 100, '2025-11': 200, '2025-12': 300 });
  const heating = (patch: Partial<CategoryOutlook> = {}) =>
    outlookWith('heating', { forecast: autumn, seasonalIndex: indexWith({ 10: 1.25, 11: 1.5 }), ...patch });

  it('returns a season starting in a month whose index reaches startIndex exactly, and its months and volume', () => {
    // Act
    const items = prepareNow(outlookOf('2025-09', [heating()]), [], rules);

    // Assess: November is at 1.25, October below
    expect(items).toEqual([
      {
        category: 'heating',
        seasonStart: '2025-11',
        leadMonths: 2,
        seasonalIndex: 1.25,
        seasonMonths: ['2025-11', '2025-12'],
        expectedOrders: 500,
        forecast: autumn.slice(1),
        townships: [],
      },
    ]);
  });

  it('returns the season to its last month at startIndex, and not what follows its end', () => {
    // Prepare: October 1.5, November exactly 1.25, December 1.2 (over), then nothing
    const inOctober = heating({ seasonalIndex: indexWith({ 9: 1.5, 10: 1.25, 11: 1.2 }) });
    const twoSeasons = heating({ seasonalIndex: indexWith({ 9: 1.5, 10: 1.1, 11: 1.5 }) });

    // Act
    const [item] = prepareNow(outlookOf('2025-09', [inOctober]), [], rules);
    const [first] = prepareNow(outlookOf('2025-09', [twoSeasons]), [], rules);

    // Assess: a second season inside the horizon is not added to the first
    expect(item?.seasonMonths).toEqual(['2025-10', '2025-11']);
    expect(item?.expectedOrders).toBe(300);
    expect(item?.leadMonths).toBe(1);
    expect(first?.seasonMonths).toEqual(['2025-10']);
    expect(first?.expectedOrders).toBe(100);
  });

  it('returns nothing for a season under way, even when the last month was exactly at startIndex', () => {
    // Prepare: September, the last complete month, already in season
    const underWay = heating({ seasonalIndex: indexWith({ 8: 1.3, 9: 1.3, 10: 1.3, 11: 1.3 }) });
    const atStart = heating({ seasonalIndex: indexWith({ 8: 1.25, 9: 1.3 }) });

    // Act / Assess
    expect(prepareNow(outlookOf('2025-09', [underWay]), [], rules)).toEqual([]);
    expect(prepareNow(outlookOf('2025-09', [atStart]), [], rules)).toEqual([]);
  });

  it('returns a season across the new year, its lead counted in months', () => {
    // Prepare: last complete month November; January at 1.4
    const winter = outlookWith('heating', {
      forecast: forecastOf({ '2025-12': 50, '2026-01': 80, '2026-02': 70 }),
      seasonalIndex: indexWith({ 0: 1.4, 1: 1 }),
    });

    // Act
    const [item] = prepareNow(outlookOf('2025-11', [winter]), [], rules);

    // Assess
    expect(item).toMatchObject({
      seasonStart: '2026-01',
      leadMonths: 2,
      seasonalIndex: 1.4,
      expectedOrders: 80,
    });
  });

  it('returns only categories with a model, a seasonal index and at least minMonthlyOrders a month', () => {
    // Prepare: the deployed minimum is 30 orders a month
    const categories = [
      heating({ category: 'at-minimum', meanMonthlyOrders: 30 }),
      heating({ category: 'too-small', meanMonthlyOrders: 29.9 }),
      heating({ category: 'no-history', status: 'insufficient_history' }),
      heating({ category: 'no-index', seasonalIndex: null }),
      heating({ category: 'flat', seasonalIndex: indexWith({}) }),
    ];

    // Act
    const items = prepareNow(outlookOf('2025-09', categories), [], rules);

    // Assess
    expect(items.map((i) => i.category)).toEqual(['at-minimum']);
  });

  it('returns the largest expected volumes first, ties by name, at most maxItems', () => {
    // Prepare: b and c expect 500, a expects 250
    const half = forecastOf({ '2025-10': 50, '2025-11': 100, '2025-12': 150 });
    const categories = [
      heating({ category: 'c' }),
      heating({ category: 'a', forecast: half }),
      heating({ category: 'b' }),
    ];

    // Act
    const all = prepareNow(outlookOf('2025-09', categories), [], rules);
    const two = prepareNow(outlookOf('2025-09', categories), [], {
      ...rules,
      season: { ...rules.season, maxItems: 2 },
    });

    // Assess
    expect(all.map((i) => [i.category, i.expectedOrders])).toEqual([
      ['b', 500],
      ['c', 500],
      ['a', 250],
    ]);
    expect(two.map((i) => i.category)).toEqual(['b', 'c']);
  });

  it('returns the townships with most orders in the season’s months last year, their share of all of them applied to the volume', () => {
    // Prepare: the season is November and December 2025; last year's rows of those months count,
    // October's and other categories' do not
    const streets: CategoryStreetMonthCount[] = [
      { category: 'heating', street: 'beta', month: '2024-11', orders: 30 },
      { category: 'heating', street: 'beta', month: '2024-12', orders: 20 },
      { category: 'heating', street: 'alpha', month: '2024-12', orders: 50 },
      { category: 'heating', street: 'gamma', month: '2024-11', orders: 100 },
      { category: 'heating', street: 'delta', month: '2024-12', orders: 50 },
      { category: 'heating', street: 'omega', month: '2024-10', orders: 900 },
      { category: 'heating', street: 'omega', month: '2025-11', orders: 900 },
      { category: 'drainage', street: 'omega', month: '2024-11', orders: 900 },
    ];
    const threeTownships = { ...rules, season: { ...rules.season, townships: 3 } };

    // Act
    const [item] = prepareNow(outlookOf('2025-09', [heating()]), streets, threeTownships);

    // Assess: 250 orders in all; gamma 100, then alpha, beta and delta with 50 each (by name);
    // 500 orders expected this season
    expect(item?.townships).toEqual([
      { street: 'gamma', ordersLastYear: 100, share: 0.4, expectedOrders: 200 },
      { street: 'alpha', ordersLastYear: 50, share: 0.2, expectedOrders: 100 },
      { street: 'beta', ordersLastYear: 50, share: 0.2, expectedOrders: 100 },
    ]);
  });

  it('returns townships without orders with a share of 0, not 0 / 0', () => {
    // Prepare
    const streets = [{ category: 'heating', street: 'alpha', month: '2024-11', orders: 0 }];

    // Act
    const [item] = prepareNow(outlookOf('2025-09', [heating()]), streets, rules);

    // Assess
    expect(item?.townships).toEqual([{ street: 'alpha', ordersLastYear: 0, share: 0, expectedOrders: 0 }]);
  });
});

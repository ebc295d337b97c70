import { describe, expect, it } from 'vitest';
import outlookJson from '#data/outlook.json' with { type: 'json' };
import {
  addMonths,
  type CategoryMonthCount,
  type CategoryOutlook,
  categoryOutlook,
  monthlySeries,
  outlookRulesSchema,
  prepareNow,
  sameMonthsLastYear,
  seasonalOutlook,
  summariseOutlook,
} from '#domain/mining/seasonal-outlook.ts';
import { monthlyCounts, profiles } from './synthetic.ts';

const rules = outlookRulesSchema.parse(outlookJson);
const profileNames = Object.keys(profiles) as (keyof typeof profiles)[];

/** Five years of a category from January 2021: level × growth × season × noise, Poisson counts. */
const syntheticCategory = (i: number, growthPerYear = 0.04 + 0.01 * i): CategoryOutlook =>
  categoryOutlook(
    {
      category: `c${i}`,
      firstMonth: '2021-01',
      counts: monthlyCounts({
        seed: 1000 + i,
        months: 60,
        level: 200 + 50 * i,
        growthPerYear,
        profile: profiles[profileNames[i % profileNames.length] ?? 'heating'],
        noise: 0.08,
      }),
    },
    rules,
  );

/** Rows of category_month_counts.sql for a series starting at `firstMonth`. */
const rowsOf = (category: string, firstMonth: string, counts: readonly number[]): CategoryMonthCount[] =>
  counts.map((orders, t) => ({ category, month: addMonths(firstMonth, t), orders }));

describe('outlookRulesSchema', () => {
  it('returns the deployed rules of data/outlook.json: 3 months ahead, 80 % and 95 % intervals, 24 months of history', () => {
    // Act
    const parsed = outlookRulesSchema.parse(outlookJson);

    // Assess
    expect(parsed.horizonMonths).toBe(3);
    expect(parsed.intervalLevels).toEqual([0.8, 0.95]);
    expect(parsed.minHistoryMonths).toBeGreaterThanOrEqual(24);
  });

  it('rejects less than two years of history as the minimum', () => {
    // Act / Assess
    expect(() => outlookRulesSchema.parse({ ...outlookJson, minHistoryMonths: 12 })).toThrow();
  });
});

describe('categoryOutlook', () => {
  it('returns forecasts that beat the seasonal naive on MASE for seasonal, growing series', () => {
    // Prepare: 24 categories, heating / drainage / summer-noise seasons, +4 … +27 % a year, 8 % noise
    const outlooks = Array.from({ length: 24 }, (_, i) => syntheticCategory(i));

    // Act
    const summary = summariseOutlook(outlooks, rules.intervalLevels);

    // Assess: backtested over the last 12 months (12 origins, horizons 1-3: 33 forecasts each)
    expect(summary.backtested).toBe(24);
    expect(outlooks.every((o) => o.backtest?.origins === 12 && o.backtest.model.forecasts === 33)).toBe(true);
    expect(summary.beatBaseline).toBeGreaterThanOrEqual(20);
    expect(summary.meanMase.model).toBeLessThan(0.8 * (summary.meanMase.seasonalNaive ?? 0));
    expect(summary.meanSmape.model).toBeLessThan(summary.meanSmape.seasonalNaive ?? 0);
  });

  it('returns a seasonal naive MASE of about 1 on a series without trend (its own scale)', () => {
    // Prepare: eight categories without growth
    const outlooks = Array.from({ length: 8 }, (_, i) => syntheticCategory(i, 0));

    // Act
    const summary = summariseOutlook(outlooks, rules.intervalLevels);

    // Assess
    expect(summary.meanMase.seasonalNaive).toBeGreaterThan(0.7);
    expect(summary.meanMase.seasonalNaive).toBeLessThan(1.3);
    expect(summary.meanMase.model).toBeLessThan(summary.meanMase.seasonalNaive ?? 0);
  });

  it('returns intervals that cover about as promised in the backtest', () => {
    // Prepare
    const outlooks = Array.from({ length: 24 }, (_, i) => syntheticCategory(i));

    // Act: pooled over 24 × 33 forecasts
    const { coverage } = summariseOutlook(outlooks, rules.intervalLevels);

    // Assess: ±8 points around 80 %, at least 90 % for 95 %
    expect(coverage.model['0.8']).toBeGreaterThan(0.72);
    expect(coverage.model['0.8']).toBeLessThan(0.9);
    expect(coverage.model['0.95']).toBeGreaterThan(0.9);
  });

  it('returns ordered intervals around each point, 95 % wider than 80 %', () => {
    // Prepare
    const outlook = syntheticCategory(3);

    // Assess
    expect(outlook.forecast.map((f) => f.month)).toEqual(['2026-01', '2026-02', '2026-03']);
    for (const f of outlook.forecast) {
      const i80 = f.intervals['0.8'];
      const i95 = f.intervals['0.95'];
      expect(i95?.lower).toBeLessThanOrEqual(i80?.lower ?? 0);
      expect(i80?.lower).toBeLessThanOrEqual(f.point);
      expect(f.point).toBeLessThanOrEqual(i80?.upper ?? 0);
      expect(i80?.upper).toBeLessThanOrEqual(i95?.upper ?? 0);
    }
  });

  it('returns insufficient_history, no model forecast and no backtest below 24 months', () => {
    // Prepare: 20 months
    const counts = Array.from({ length: 20 }, (_, t) => 100 + 10 * (t % 12));

    // Act
    const outlook = categoryOutlook({ category: 'new', firstMonth: '2025-01', counts }, rules);

    // Assess: the seasonal naive (last year's months) is still shown
    expect(outlook.status).toBe('insufficient_history');
    expect(outlook.forecast).toEqual([]);
    expect(outlook.backtest).toBeNull();
    expect(outlook.seasonalNaive.map((f) => f.point)).toEqual([counts[8], counts[9], counts[10]]);
  });

  it('returns a shorter backtest when history allows only some origins (30 months: 6)', () => {
    // Prepare
    const counts = monthlyCounts({
      seed: 5,
      months: 30,
      level: 300,
      growthPerYear: 0.1,
      profile: profiles.heating,
      noise: 0.05,
    });

    // Act
    const outlook = categoryOutlook({ category: 'young', firstMonth: '2024-01', counts }, rules);

    // Assess: origins need 24 months of training before them
    expect(outlook.status).toBe('ok');
    expect(outlook.backtest?.origins).toBe(6);
  });
});

describe('monthlySeries', () => {
  it('returns zero-filled series from the first month of the store to the last complete month', () => {
    // Prepare: b has no order in February; March is the current, incomplete month
    const rows: CategoryMonthCount[] = [
      { category: 'a', month: '2026-01', orders: 5 },
      { category: 'a', month: '2026-02', orders: 6 },
      { category: 'b', month: '2026-01', orders: 1 },
      { category: 'a', month: '2026-03', orders: 99 },
    ];

    // Act
    const series = monthlySeries(rows, '2026-02');

    // Assess
    expect(series).toEqual([
      { category: 'a', firstMonth: '2026-01', counts: [5, 6] },
      { category: 'b', firstMonth: '2026-01', counts: [1, 0] },
    ]);
  });
});

describe('seasonalOutlook and prepareNow', () => {
  // Heating (Nov-Mar) and drainage (Jul-Aug) over four years from October 2021 (calendar month 9).
  const heating = monthlyCounts(
    {
      seed: 11,
      months: 48,
      level: 800,
      growthPerYear: 0.05,
      profile: profiles.heating,
      noise: 0.05,
    },
    9,
  );
  const drainage = monthlyCounts(
    {
      seed: 12,
      months: 48,
      level: 500,
      growthPerYear: 0.05,
      profile: profiles.drainage,
      noise: 0.05,
    },
    9,
  );
  const rows = [...rowsOf('heating', '2021-10', heating), ...rowsOf('drainage', '2021-10', drainage)];

  it('returns the heating season as starting in November when September is the last month, with its townships', () => {
    // Prepare
    const outlook = seasonalOutlook(rows, '2025-09', rules);
    const window = sameMonthsLastYear(outlook);
    const streets = [
      { category: 'heating', street: '110105001', month: '2024-11', orders: 60 },
      { category: 'heating', street: '110105001', month: '2024-12', orders: 90 },
      { category: 'heating', street: '110108002', month: '2024-12', orders: 50 },
      // October is before the season: it does not count for the townships
      { category: 'heating', street: '110101003', month: '2024-10', orders: 500 },
    ];

    // Act
    const items = prepareNow(outlook, streets, rules);

    // Assess
    expect(outlook.months).toEqual(['2025-10', '2025-11', '2025-12']);
    expect(window).toEqual({ from: '2024-10-01', to: '2024-12-31' });
    expect(items.map((i) => i.category)).toEqual(['heating']);
    const item = items[0];
    const forecast = outlook.categories.find((c) => c.category === 'heating')?.forecast ?? [];
    expect(item?.seasonStart).toBe('2025-11');
    expect(item?.leadMonths).toBe(2);
    expect(item?.seasonMonths).toEqual(['2025-11', '2025-12']);
    expect(item?.expectedOrders).toBeCloseTo((forecast[1]?.point ?? 0) + (forecast[2]?.point ?? 0), 6);
    expect(item?.seasonalIndex).toBeGreaterThanOrEqual(rules.season.startIndex);
    expect(item?.townships.map((t) => [t.street, t.ordersLastYear])).toEqual([
      ['110105001', 150],
      ['110108002', 50],
    ]);
    expect(item?.townships[0]?.share).toBeCloseTo(0.75, 9);
    expect(item?.townships[0]?.expectedOrders).toBeCloseTo(0.75 * (item?.expectedOrders ?? 0), 6);
  });

  it('returns drainage, not heating, when the horizon holds July (last month April)', () => {
    // Prepare: the same history cut at April 2025
    const outlook = seasonalOutlook(
      rows.filter((r) => r.month <= '2025-04'),
      '2025-04',
      rules,
    );

    // Act
    const items = prepareNow(outlook, [], rules);

    // Assess
    expect(items.map((i) => [i.category, i.seasonStart, i.leadMonths])).toEqual([['drainage', '2025-07', 3]]);
    expect(items[0]?.townships).toEqual([]);
  });

  it('returns nothing for a season already under way (last month December: heating continues)', () => {
    // Prepare
    const outlook = seasonalOutlook(rows, '2024-12', rules);

    // Act
    const items = prepareNow(outlook, [], rules);

    // Assess
    expect(items).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import {
  accuracy,
  type ForecastOutcome,
  seasonalNaiveScale,
  smapeTerm,
} from '#domain/mining/forecast-metrics.ts';

describe('seasonalNaiveScale', () => {
  it('returns the mean absolute difference between each value and the one a period before it', () => {
    // Prepare: period 2 over [1, 2, 3, 5]: |3 − 1| = 2 and |5 − 2| = 3, two differences
    const series = [1, 2, 3, 5];

    // Act / Assess: (2 + 3) / 2
    expect(seasonalNaiveScale(series, 2)).toBe(2.5);
  });

  it('returns the scale of falls and rises alike (absolute differences)', () => {
    // Prepare: period 1 over [4, 1, 3]: |1 − 4| = 3, |3 − 1| = 2
    // Act / Assess
    expect(seasonalNaiveScale([4, 1, 3], 1)).toBe(2.5);
  });

  it('returns null when the series is no longer than one period (no difference to take)', () => {
    // Act / Assess
    expect(seasonalNaiveScale([7, 9], 2)).toBeNull();
    expect(seasonalNaiveScale([], 12)).toBeNull();
  });

  it('returns null for a series that repeats itself exactly (a scale of 0 would divide MASE by zero)', () => {
    // Prepare: period 2, every value equal to the one two months before
    // Act / Assess
    expect(seasonalNaiveScale([3, 8, 3, 8, 3], 2)).toBeNull();
  });
});

describe('smapeTerm', () => {
  it('returns 200 · |y − ŷ| / (|y| + |ŷ|), in percent', () => {
    // Act / Assess: 200 · 20 / 40 = 100; 200 · 2 / 18 = 22.2…; under- and over-forecast alike
    expect(smapeTerm(10, 30)).toBe(100);
    expect(smapeTerm(30, 10)).toBe(100);
    expect(smapeTerm(10, 8)).toBeCloseTo(200 / 9, 12);
  });

  it('returns 200 % for a forecast of anything when nothing happened, and 0 for a perfect one', () => {
    // Act / Assess
    expect(smapeTerm(0, 5)).toBe(200);
    expect(smapeTerm(12, 12)).toBe(0);
  });

  it('returns 0 when both the actual and the forecast are 0 (no error, not 0 / 0)', () => {
    // Act / Assess
    expect(smapeTerm(0, 0)).toBe(0);
  });
});

describe('accuracy', () => {
  // Three forecasts: the first actual sits on its 80 % lower bound, the second on its 80 % upper
  // bound, the third outside; only the first is inside its 95 % interval, the third has none.
  const outcomes: ForecastOutcome[] = [
    {
      actual: 10,
      point: 8,
      intervals: { '0.8': { lower: 10, upper: 12 }, '0.95': { lower: 5, upper: 15 } },
    },
    {
      actual: 20,
      point: 25,
      intervals: { '0.8': { lower: 15, upper: 20 }, '0.95': { lower: 21, upper: 30 } },
    },
    { actual: 0, point: 5, intervals: { '0.8': { lower: 1, upper: 6 } } },
  ];

  it('returns MAE, sMAPE and MASE of a set of forecasts, computed by hand', () => {
    // Act
    const report = accuracy(outcomes, 2, [0.8, 0.95]);

    // Assess: errors 2, 5, 5 → MAE 4, MASE 4 / 2; sMAPE (200/9 + 200/9 + 200) / 3 = 2200/27
    expect(report.forecasts).toBe(3);
    expect(report.mae).toBe(4);
    expect(report.mase).toBe(2);
    expect(report.smape).toBeCloseTo(2200 / 27, 10);
  });

  it('returns the share of actuals inside each interval, bounds included, a missing interval outside', () => {
    // Act
    const report = accuracy(outcomes, 2, [0.8, 0.95]);

    // Assess: 80 %: the two on a bound are inside, 2 of 3; 95 %: only the first, 1 of 3
    expect(report.coverage).toEqual({ '0.8': 2 / 3, '0.95': 1 / 3 });
  });

  it('returns a MASE of null when the series has no scale', () => {
    // Act
    const report = accuracy(outcomes, null, [0.8]);

    // Assess: the other measures need no scale
    expect(report.mase).toBeNull();
    expect(report.mae).toBe(4);
  });

  it('returns zeros and a null MASE for no forecasts at all', () => {
    // Act
    const report = accuracy([], 2, [0.8, 0.95]);

    // Assess
    expect(report).toEqual({ forecasts: 0, mase: null, smape: 0, mae: 0, coverage: { '0.8': 0, '0.95': 0 } });
  });
});

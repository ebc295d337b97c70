/**
 * Forecast accuracy measures, as the M4 competition defines them (Makridakis et al. 2020):
 * - MASE: mean absolute error scaled by the in-sample mean absolute error of the seasonal naive
 *   forecast (y_t − y_{t−m}); below 1 beats the seasonal naive's in-sample accuracy.
 * - sMAPE: 200/n · Σ |y − ŷ| / (|y| + |ŷ|), in percent (0 when both are 0).
 * - coverage: the share of actual values inside their prediction interval.
 */

/** In-sample mean absolute error of the seasonal naive forecast: the MASE denominator (null when undefined). */
export const seasonalNaiveScale = (series: readonly number[], period: number): number | null => {
  let sum = 0;
  let n = 0;
  for (let t = period; t < series.length; t++) {
    sum += Math.abs((series[t] ?? 0) - (series[t - period] ?? 0));
    n++;
  }
  // A positive sum needs at least one difference (n ≥ 1); a zero sum would make MASE divide by zero.
  return sum > 0 ? sum / n : null;
};

export interface ForecastOutcome {
  readonly actual: number;
  readonly point: number;
  /** Interval bounds keyed by level ('0.8', '0.95'). */
  readonly intervals: Readonly<Record<string, { readonly lower: number; readonly upper: number }>>;
}

export interface AccuracyReport {
  readonly forecasts: number;
  readonly mase: number | null;
  /** sMAPE in percent. */
  readonly smape: number;
  readonly mae: number;
  /** Share of actuals inside the interval, per level ('0.8', '0.95'). */
  readonly coverage: Readonly<Record<string, number>>;
}

export const smapeTerm = (actual: number, point: number): number => {
  const denominator = Math.abs(actual) + Math.abs(point);
  return denominator === 0 ? 0 : (200 * Math.abs(actual - point)) / denominator;
};

/** MASE, sMAPE, MAE and interval coverage of a set of forecasts, against one series' scale. */
export const accuracy = (
  outcomes: readonly ForecastOutcome[],
  scale: number | null,
  levels: readonly number[],
): AccuracyReport => {
  const n = outcomes.length;
  const mae = n === 0 ? 0 : outcomes.reduce((s, o) => s + Math.abs(o.actual - o.point), 0) / n;
  const smape = n === 0 ? 0 : outcomes.reduce((s, o) => s + smapeTerm(o.actual, o.point), 0) / n;
  const coverage = Object.fromEntries(
    levels.map((level) => {
      const key = String(level);
      const inside = outcomes.filter((o) => {
        const interval = o.intervals[key];
        return interval !== undefined && o.actual >= interval.lower && o.actual <= interval.upper;
      }).length;
      return [key, n === 0 ? 0 : inside / n];
    }),
  );
  return { forecasts: n, mase: scale === null || n === 0 ? null : mae / scale, smape, mae, coverage };
};

import { describe, expect, it } from 'vitest';
import earlyWarningJson from '#data/early-warning.json' with { type: 'json' };
import {
  type DailySeries,
  dailySeries,
  detectAberrations,
  detectionDelay,
  earlyWarningRulesSchema,
  earsThreshold,
  earsValue,
  earsWindowStart,
  evaluateEarlyWarning,
  falseAlarmRate,
  gaussianFalseAlarmProbability,
} from '#domain/mining/early-warning.ts';
import { poissonDraw, seededRandom } from './synthetic.ts';

const rules = earlyWarningRulesSchema.parse(earlyWarningJson);

/** `count` Poisson series of `days` days with a daily mean. */
const poissonSeries = (seed: number, count: number, days: number, mean: number): number[][] => {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => Array.from({ length: days }, () => poissonDraw(random, mean)));
};

/** A series whose days `start` … `start + length − 1` have `factor` times the mean. */
const withSpike = (seed: number, mean: number, start: number, length: number, factor: number): number[] => {
  const random = seededRandom(seed);
  return Array.from({ length: start + 10 }, (_, t) =>
    poissonDraw(random, t >= start && t < start + length ? factor * mean : mean),
  );
};

const sampleSd = (values: readonly number[]) => {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
};

describe('earlyWarningRulesSchema', () => {
  it('returns the EARS parameters of data/early-warning.json: 7-day baseline, C2/C3 lagged 2 days, z of 3.09 and 1.96', () => {
    // Assess
    expect(rules.baselineDays).toBe(7);
    expect(rules.methods.C2.lagDays).toBe(2);
    expect(rules.methods.C3.lagDays).toBe(2);
    expect(earsThreshold(rules, 'C1')).toBeCloseTo(3.0902, 4);
    expect(earsThreshold(rules, 'C2')).toBeCloseTo(3.0902, 4);
    expect(earsThreshold(rules, 'C3')).toBeCloseTo(1.96, 2);
  });

  it('rejects a minimum sigma of 0 (a flat baseline would divide by zero)', () => {
    // Act / Assess
    expect(() => earlyWarningRulesSchema.parse({ ...earlyWarningJson, minSigma: 0 })).toThrow();
  });
});

describe('earsValue', () => {
  it('returns C1 over the 7 previous days and C2 over days t−9 … t−3', () => {
    // Prepare: ten days, then the day tested
    const counts = [3, 5, 4, 6, 2, 5, 4, 7, 3, 5, 20];
    const t = 10;

    // Act
    const c1 = earsValue(counts, t, rules, 'C1');
    const c2 = earsValue(counts, t, rules, 'C2');

    // Assess: C1's baseline is days 3-9, C2's days 1-7
    const c1Base = counts.slice(3, 10);
    const c2Base = counts.slice(1, 8);
    const mean1 = c1Base.reduce((s, v) => s + v, 0) / 7;
    const mean2 = c2Base.reduce((s, v) => s + v, 0) / 7;
    expect(c1?.expected).toBeCloseTo(mean1, 12);
    expect(c1?.sigma).toBeCloseTo(sampleSd(c1Base), 12);
    expect(c1?.statistic).toBeCloseTo((20 - mean1) / sampleSd(c1Base), 12);
    expect(c2?.expected).toBeCloseTo(mean2, 12);
    expect(c2?.statistic).toBeCloseTo((20 - mean2) / sampleSd(c2Base), 12);
  });

  it('returns C3 as the sum of the C2 excesses over 1 of the day and the 2 before it', () => {
    // Prepare: 13 days
    const counts = [4, 5, 4, 6, 5, 4, 5, 6, 4, 5, 9, 11, 14];
    const t = 12;

    // Act
    const c3 = earsValue(counts, t, rules, 'C3');

    // Assess
    const excess = [t - 2, t - 1, t].map((d) =>
      Math.max(0, (earsValue(counts, d, rules, 'C2')?.statistic ?? 0) - 1),
    );
    expect(excess.filter((e) => e > 0).length).toBeGreaterThan(1);
    expect(c3?.statistic).toBeCloseTo(
      excess.reduce((s, e) => s + e, 0),
      12,
    );
    expect(earsValue(counts, 10, rules, 'C3')).toBeNull();
  });

  it('returns σ_min for a flat baseline', () => {
    // Prepare: seven days of 2
    const counts = [2, 2, 2, 2, 2, 2, 2, 6];

    // Act
    const c1 = earsValue(counts, 7, rules, 'C1');

    // Assess
    expect(c1).toEqual({ statistic: (6 - 2) / rules.minSigma, expected: 2, sigma: rules.minSigma });
  });
});

describe('detectAberrations', () => {
  const seriesOf = (counts: number[]): DailySeries => ({
    category: '0103',
    areaLevel: 'street',
    areaCode: '110105001',
    firstDay: '2026-07-01',
    counts,
  });

  it('returns an alert with its figures: observed, expected, sigma, statistic, threshold, method, series, day', () => {
    // Prepare: a quiet fortnight, then 18 orders on 12 July
    const counts = [3, 4, 2, 5, 3, 4, 3, 2, 4, 3, 4, 18];

    // Act
    const alerts = detectAberrations([seriesOf(counts)], rules);

    // Assess: C2 (the alerting method) with its baseline, days 3-9 of July
    const base = counts.slice(2, 9);
    const mean = base.reduce((s, v) => s + v, 0) / 7;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      category: '0103',
      areaLevel: 'street',
      areaCode: '110105001',
      day: '2026-07-12',
      observed: 18,
      method: 'C2',
      threshold: earsThreshold(rules, 'C2'),
    });
    expect(alerts[0]?.expected).toBeCloseTo(mean, 12);
    expect(alerts[0]?.sigma).toBeCloseTo(sampleSd(base), 12);
    expect(alerts[0]?.statistic).toBeCloseTo((18 - mean) / sampleSd(base), 12);
  });

  it('rejects a high statistic on a day with fewer orders than minObserved', () => {
    // Prepare: nothing for a fortnight, then 4 orders (C2 = 4 / σ_min = 4 > 3.09)
    const counts = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4];

    // Act
    const alerts = detectAberrations([seriesOf(counts)], rules);

    // Assess
    expect(rules.minObserved).toBeGreaterThan(4);
    expect(alerts).toEqual([]);
  });

  it('returns alerts from a given day on only', () => {
    // Prepare: spikes on days 11 and 13
    const counts = [3, 4, 2, 5, 3, 4, 3, 2, 4, 3, 4, 18, 3, 40];

    // Act
    const alerts = detectAberrations([seriesOf(counts)], rules, '2026-07-14');

    // Assess
    expect(alerts.map((a) => a.day)).toEqual(['2026-07-14']);
  });
});

describe('dailySeries and earsWindowStart', () => {
  it('returns zero-filled series per category and area over the window', () => {
    // Prepare
    const rows = [
      { category: '01', area: '110105', day: '2026-03-01', orders: 2 },
      { category: '01', area: '110105', day: '2026-03-03', orders: 5 },
      { category: '02', area: '110101', day: '2026-03-02', orders: 1 },
    ];

    // Act
    const series = dailySeries(rows, 'district', '2026-03-01', '2026-03-03');

    // Assess
    expect(series).toEqual([
      {
        category: '01',
        areaLevel: 'district',
        areaCode: '110105',
        firstDay: '2026-03-01',
        counts: [2, 0, 5],
      },
      {
        category: '02',
        areaLevel: 'district',
        areaCode: '110101',
        firstDay: '2026-03-01',
        counts: [0, 1, 0],
      },
    ]);
  });

  it('returns the first day to query: 11 days before, as C3 needs (C2 two days back, lag 2, baseline 7)', () => {
    // Act / Assess
    expect(earsWindowStart('2026-03-12', rules)).toBe('2026-03-01');
  });
});

describe('detectionDelay', () => {
  it('returns a delay of at most 1 day for every 5× spike, township-sized (4 a day) to district-sized (40)', () => {
    // Prepare: 3-day spikes at five times the mean, 40 series per size
    const delays = [4, 10, 40].flatMap((mean) =>
      Array.from({ length: 40 }, (_, k) =>
        detectionDelay(withSpike(100 * mean + k, mean, 30, 3, 5), 30, rules),
      ),
    );

    // Assess
    expect(delays.every((d) => d !== null && d <= 1)).toBe(true);
    expect(delays.filter((d) => d === 0).length).toBeGreaterThan(0.9 * delays.length);
  });

  it('returns null when nothing rises', () => {
    // Prepare
    const counts = Array.from({ length: 40 }, () => 5);

    // Act / Assess
    expect(detectionDelay(counts, 30, rules)).toBeNull();
  });
});

describe('falseAlarmRate', () => {
  // C1 and C2 on Gaussian data with a 7-day baseline: P(t₆ > 3.09 / √(8/7)) ≈ 13.8 per 1 000.
  const bound = 1000 * gaussianFalseAlarmProbability(rules, 'C2');

  it('returns, on clean near-Gaussian series (400 a day), C1 and C2 rates within 25 % of what their alpha implies', () => {
    // Prepare: 300 series of a year
    const series = poissonSeries(7, 300, 365, 400);

    // Act
    const c1 = falseAlarmRate(series, rules, 'C1');
    const c2 = falseAlarmRate(series, rules, 'C2');

    // Assess
    expect(bound).toBeGreaterThan(13);
    expect(bound).toBeLessThan(14.5);
    for (const rate of [c1, c2]) {
      expect(rate.seriesDays).toBeGreaterThan(100_000);
      expect(rate.per1000).toBeGreaterThan(0.75 * bound);
      expect(rate.per1000).toBeLessThan(1.25 * bound);
    }
  });

  it('returns, on sparse township series (0.3 and 1 a day), alerts well below that bound thanks to σ_min and minObserved', () => {
    // Prepare
    const series = [...poissonSeries(8, 200, 365, 0.3), ...poissonSeries(9, 200, 365, 1)];

    // Act
    const rate = falseAlarmRate(series, rules, 'alert');

    // Assess
    expect(rate.per1000).toBeLessThan(bound / 2);
  });

  it('returns several times more false alarms for C3 at its alpha of 0.025: why alerts come from C2', () => {
    // Prepare
    const series = poissonSeries(10, 200, 365, 400);

    // Act
    const c2 = falseAlarmRate(series, rules, 'C2');
    const c3 = falseAlarmRate(series, rules, 'C3');

    // Assess
    expect(rules.alertOn).toEqual(['C2']);
    expect(c3.per1000).toBeGreaterThan(3 * c2.per1000);
  });
});

describe('evaluateEarlyWarning', () => {
  it('returns per method the spikes detected, their delay, and false alarms on the unplanted series only', () => {
    // Prepare: 20 clean district series and 2 with a spike on day 30
    const firstDay = '2026-06-01';
    const clean: DailySeries[] = poissonSeries(21, 20, 60, 30).map((counts, k) => ({
      category: '0105',
      areaLevel: 'district',
      areaCode: `1101${String(k).padStart(2, '0')}`,
      firstDay,
      counts,
    }));
    const planted: DailySeries[] = [0, 1].map((k) => ({
      category: '0201',
      areaLevel: 'district',
      areaCode: `1101${String(k).padStart(2, '0')}`,
      firstDay,
      counts: withSpike(300 + k, 30, 30, 3, 5),
    }));

    // Act
    const evaluation = evaluateEarlyWarning(
      [...clean, ...planted],
      planted.map((p) => ({ ...p, day: '2026-07-01' })),
      rules,
    );

    // Assess
    expect(evaluation.map((e) => e.method)).toEqual(['C1', 'C2', 'C3', 'alert']);
    const alert = evaluation.find((e) => e.method === 'alert');
    expect(alert).toMatchObject({ spikes: 2, detected: 2, meanDelayDays: 0, maxDelayDays: 0 });
    expect(alert?.falseAlarms.seriesDays).toBe(20 * (60 - 9));
    expect(alert?.falseAlarms.alarms).toBe(
      falseAlarmRate(
        clean.map((s) => s.counts),
        rules,
        'C2',
      ).alarms,
    );
  });
});

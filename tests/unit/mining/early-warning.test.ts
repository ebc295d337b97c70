import { describe, expect, it } from 'vitest';
import earlyWarningJson from '#data/early-warning.json' with { type: 'json' };
import {
  type DailySeries,
  dailySeries,
  detectAberrations,
  detectionDelay,
  type EarlyWarningRules,
  earlyWarningRulesSchema,
  earsHistoryDays,
  earsSignals,
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
  // Computed in the tests, not while collecting them, so that a failure is a failed test.
  const bound = () => 1000 * gaussianFalseAlarmProbability(rules, 'C2');

  it('returns, on clean near-Gaussian series (400 a day), C1 and C2 rates within 25 % of what their alpha implies', () => {
    // Prepare: 300 series of a year
    const series = poissonSeries(7, 300, 365, 400);

    // Act
    const c1 = falseAlarmRate(series, rules, 'C1');
    const c2 = falseAlarmRate(series, rules, 'C2');

    // Assess
    expect(bound()).toBeGreaterThan(13);
    expect(bound()).toBeLessThan(14.5);
    for (const rate of [c1, c2]) {
      expect(rate.seriesDays).toBeGreaterThan(100_000);
      expect(rate.per1000).toBeGreaterThan(0.75 * bound());
      expect(rate.per1000).toBeLessThan(1.25 * bound());
    }
  });

  it('returns, on sparse township series (0.3 and 1 a day), alerts well below that bound thanks to σ_min and minObserved', () => {
    // Prepare
    const series = [...poissonSeries(8, 200, 365, 0.3), ...poissonSeries(9, 200, 365, 1)];

    // Act
    const rate = falseAlarmRate(series, rules, 'alert');

    // Assess
    expect(rate.per1000).toBeLessThan(bound() / 2);
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

// --- Hand-computed cases: a flat baseline of 2 a day has mean 2 and standard deviation 0, so σ is
// σ_min = 1 and a day's statistic is its count − 2 (C1 and C2 alike while both baselines are flat).

/** `days` days of `value` orders. */
const flat = (days: number, value = 2): number[] => Array.from({ length: days }, () => value);

type MethodSettings = Partial<EarlyWarningRules['methods']['C3']>;

/** The rules of data/early-warning.json with some settings changed, checked by the schema. */
const rulesWith = (
  methods: { C1?: MethodSettings; C2?: MethodSettings; C3?: MethodSettings },
  other: Partial<EarlyWarningRules> = {},
): EarlyWarningRules =>
  earlyWarningRulesSchema.parse({
    ...earlyWarningJson,
    ...other,
    methods: {
      C1: { ...earlyWarningJson.methods.C1, ...methods.C1 },
      C2: { ...earlyWarningJson.methods.C2, ...methods.C2 },
      C3: { ...earlyWarningJson.methods.C3, ...methods.C3 },
    },
  });

/** Calibrated thresholds C1 2 and C2 4, alerts from C2 then C1: a statistic of 3 signals C1 only. */
const twoMethods = rulesWith({ C1: { threshold: 2 }, C2: { threshold: 4 } }, { alertOn: ['C2', 'C1'] });

describe('earlyWarningRulesSchema, alertOn', () => {
  it('accepts several alerting methods, most specific first, and rejects none', () => {
    // Act
    const several = earlyWarningRulesSchema.safeParse({ ...earlyWarningJson, alertOn: ['C2', 'C1'] });
    const none = earlyWarningRulesSchema.safeParse({ ...earlyWarningJson, alertOn: [] });

    // Assess
    expect(several.success).toBe(true);
    expect(none.success).toBe(false);
  });
});

describe('earsThreshold and earsHistoryDays', () => {
  it('returns a calibrated threshold in place of z_{1−α}, and z_{1−α} without one', () => {
    // Act / Assess: z_{0.999} = 3.0902
    expect(earsThreshold(twoMethods, 'C2')).toBe(4);
    expect(earsThreshold(rulesWith({}), 'C2')).toBeCloseTo(3.0902, 4);
  });

  it('returns the days of history each method needs: C1 7 + 0, C2 7 + 2, C3 9 + 3 − 1', () => {
    // Act / Assess
    expect(earsHistoryDays(rules, 'C1')).toBe(7);
    expect(earsHistoryDays(rules, 'C2')).toBe(9);
    expect(earsHistoryDays(rules, 'C3')).toBe(11);
  });

  it('returns a lag of C1 added to its baseline', () => {
    // Act / Assess: 7 days of baseline ending 2 days before the day tested
    expect(earsHistoryDays(rulesWith({ C1: { lagDays: 1 } }), 'C1')).toBe(8);
  });
});

describe('earsValue, hand-computed', () => {
  it('returns C3 on a flat baseline as the C2 excesses over 1 of the day and the 2 before it: 3 + 2 + 1', () => {
    // Prepare: 2 a day for 10 days, then 4, 5, 6 (C2 of 2, 3, 4: each baseline is still flat)
    const counts = [...flat(10), 4, 5, 6];

    // Act
    const c3 = earsValue(counts, 12, rules, 'C3');

    // Assess: the figures shown are the day's C2 baseline, mean 2 and σ_min
    expect(c3).toEqual({ statistic: 3 + 2 + 1, expected: 2, sigma: 1 });
  });

  it('returns C3 over `days` days only: with 2, the excess of day t − 2 stays out', () => {
    // Prepare
    const counts = [...flat(10), 4, 5, 6];

    // Act
    const c3 = earsValue(counts, 12, rulesWith({ C3: { days: 2 } }), 'C3');

    // Assess: (4 − 1) + (3 − 1)
    expect(c3?.statistic).toBe(5);
  });

  it('returns C3 with an excess of 0: the C2 values themselves, none below 0', () => {
    // Prepare: 1 then 6 then 7 orders on a flat baseline of 2 (C2 −1, 4, 5)
    const counts = [...flat(10), 1, 6, 7];

    // Act
    const c3 = earsValue(counts, 12, rulesWith({ C3: { excess: 0 } }), 'C3');

    // Assess: max(0, −1) + 4 + 5
    expect(c3?.statistic).toBe(9);
  });

  it('returns null until a method has its history: C1 from day 7, C2 from day 9, C3 from day 11', () => {
    // Prepare
    const counts = flat(13);

    // Act / Assess
    expect(earsValue(counts, 6, rules, 'C1')).toBeNull();
    expect(earsValue(counts, 7, rules, 'C1')).not.toBeNull();
    expect(earsValue(counts, 8, rules, 'C2')).toBeNull();
    expect(earsValue(counts, 9, rules, 'C2')).not.toBeNull();
    expect(earsValue(counts, 8, rules, 'C3')).toBeNull();
    expect(earsValue(counts, 10, rules, 'C3')).toBeNull();
    expect(earsValue(counts, 11, rules, 'C3')).toEqual({ statistic: 0, expected: 2, sigma: 1 });
  });
});

describe('earsSignals', () => {
  it('signals from minObserved orders on, not one below, whatever the statistic', () => {
    // Prepare: nothing for 9 days, then 5 or 4 orders (C2 of 5 and 4, both above 3.09)
    const five = [...flat(9, 0), rules.minObserved];
    const four = [...flat(9, 0), rules.minObserved - 1];

    // Act / Assess
    expect(rules.minObserved).toBe(5);
    expect(earsSignals(five, 9, rules, 'C2')).toBe(true);
    expect(earsSignals(four, 9, rules, 'C2')).toBe(false);
  });

  it('returns false without the history the method needs, however many orders', () => {
    // Prepare: 50 orders on day 8, one day short of C2's 9
    const counts = [...flat(8, 0), 50];

    // Act / Assess
    expect(earsSignals(counts, 8, rules, 'C2')).toBe(false);
  });

  it('signals above the threshold only, not at it', () => {
    // Prepare: 6 orders on a flat baseline of 2: a statistic of exactly 4
    const counts = [...flat(9), 6];

    // Act / Assess
    expect(earsSignals(counts, 9, rules, 'C2', 4)).toBe(false);
    expect(earsSignals(counts, 9, rules, 'C2', 3.99)).toBe(true);
  });
});

describe('dailySeries, rows', () => {
  it('returns the series sorted by category, then by area, whatever the order of the rows', () => {
    // Prepare
    const rows = [
      { category: '02', area: '110101', day: '2026-03-01', orders: 1 },
      { category: '01', area: '110108', day: '2026-03-01', orders: 2 },
      { category: '01', area: '110105', day: '2026-03-01', orders: 3 },
    ];

    // Act
    const series = dailySeries(rows, 'district', '2026-03-01', '2026-03-01');

    // Assess
    expect(series.map((s) => [s.category, s.areaCode, s.counts])).toEqual([
      ['01', '110105', [3]],
      ['01', '110108', [2]],
      ['02', '110101', [1]],
    ]);
  });

  it('adds up the rows of one series and day', () => {
    // Prepare
    const rows = [
      { category: '01', area: '110105', day: '2026-03-02', orders: 2 },
      { category: '01', area: '110105', day: '2026-03-02', orders: 3 },
    ];

    // Act
    const series = dailySeries(rows, 'district', '2026-03-01', '2026-03-02');

    // Assess
    expect(series.map((s) => s.counts)).toEqual([[0, 5]]);
  });

  it('leaves out the rows before `from` and after `to`, and a series with none between', () => {
    // Prepare: 01 has a day before, the last day and a day after; 02 only days outside
    const rows = [
      { category: '01', area: '110105', day: '2026-02-28', orders: 7 },
      { category: '01', area: '110105', day: '2026-03-03', orders: 3 },
      { category: '01', area: '110105', day: '2026-03-04', orders: 9 },
      { category: '02', area: '110105', day: '2026-03-04', orders: 4 },
    ];

    // Act
    const series = dailySeries(rows, 'district', '2026-03-01', '2026-03-03');

    // Assess
    expect(series.map((s) => [s.category, s.counts])).toEqual([['01', [0, 0, 3]]]);
  });
});

describe('detectAberrations, days and order', () => {
  const seriesOf = (areaCode: string, counts: number[]): DailySeries => ({
    category: '0103',
    areaLevel: 'street',
    areaCode,
    firstDay: '2026-07-01',
    counts,
  });
  // the spikes of 18 on 12 July and of 40 on 14 July (3 orders between: below minObserved)
  const twoSpikes = [3, 4, 2, 5, 3, 4, 3, 2, 4, 3, 4, 18, 3, 40];

  it('returns every alert from fromDay on, the newest first', () => {
    // Act
    const alerts = detectAberrations([seriesOf('110105001', twoSpikes)], rules, '2026-07-12');

    // Assess
    expect(alerts.map((a) => [a.day, a.observed])).toEqual([
      ['2026-07-14', 40],
      ['2026-07-12', 18],
    ]);
  });

  it('returns by default the alerts of the series’ last day only', () => {
    // Act
    const alerts = detectAberrations([seriesOf('110105001', twoSpikes)], rules);

    // Assess
    expect(alerts.map((a) => a.day)).toEqual(['2026-07-14']);
  });

  it('returns the alerts of every day when fromDay precedes the series', () => {
    // Act
    const alerts = detectAberrations([seriesOf('110105001', twoSpikes)], rules, '2026-06-20');

    // Assess
    expect(alerts.map((a) => a.day)).toEqual(['2026-07-14', '2026-07-12']);
  });

  it('returns no alert on ordinary days nor on days without history, however many orders', () => {
    // Prepare: 6 orders every day (above minObserved), every day tested
    const counts = flat(12, 6);

    // Act
    const alerts = detectAberrations([seriesOf('110105001', counts)], rules, '2026-07-01');

    // Assess
    expect(alerts).toEqual([]);
  });

  it('returns an alert on a day of exactly minObserved orders', () => {
    // Prepare: nothing for 11 days, then 5 orders (C2 = 5 / σ_min)
    const counts = [...flat(11, 0), 5];

    // Act
    const alerts = detectAberrations([seriesOf('110105001', counts)], rules);

    // Assess
    expect(alerts.map((a) => [a.day, a.observed, a.statistic])).toEqual([['2026-07-12', 5, 5]]);
  });

  it('returns an alert above a calibrated threshold, none at it', () => {
    // Prepare: C2 calibrated at 4; 6 orders (statistic 4) or 7 (statistic 5) on a flat 2
    const calibrated = rulesWith({ C2: { threshold: 4 } });

    // Act
    const atIt = detectAberrations([seriesOf('110105001', [...flat(11), 6])], calibrated);
    const above = detectAberrations([seriesOf('110105001', [...flat(11), 7])], calibrated);

    // Assess
    expect(atIt).toEqual([]);
    expect(above.map((a) => [a.method, a.statistic, a.threshold])).toEqual([['C2', 5, 4]]);
  });

  it('returns as the alert the first alertOn method that signalled, under signals every one that did', () => {
    // Prepare: a statistic of 5 passes C2 (4) and C1 (2); one of 3 only C1
    const strong = seriesOf('110105001', [...flat(11), 7]);
    const mild = seriesOf('110105002', [...flat(11), 5]);

    // Act
    const alerts = detectAberrations([strong, mild], twoMethods);
    const of = (areaCode: string) => alerts.find((a) => a.areaCode === areaCode);

    // Assess
    expect(of('110105001')).toMatchObject({ method: 'C2', statistic: 5, threshold: 4 });
    expect(of('110105001')?.signals).toEqual([
      { method: 'C2', threshold: 4, statistic: 5, expected: 2, sigma: 1 },
      { method: 'C1', threshold: 2, statistic: 5, expected: 2, sigma: 1 },
    ]);
    expect(of('110105002')).toMatchObject({ method: 'C1', statistic: 3, threshold: 2 });
    expect(of('110105002')?.signals.map((s) => s.method)).toEqual(['C1']);
  });

  it('returns the alerts of one day by statistic over threshold, the highest first, whatever the series order', () => {
    // Prepare: 5 / 4 = 1.25 (C2) and 3 / 2 = 1.5 (C1): the mild one is further above its threshold
    const strong = seriesOf('110105001', [...flat(11), 7]);
    const mild = seriesOf('110105002', [...flat(11), 5]);

    // Act
    const one = detectAberrations([strong, mild], twoMethods);
    const other = detectAberrations([mild, strong], twoMethods);

    // Assess
    expect(one.map((a) => a.areaCode)).toEqual(['110105002', '110105001']);
    expect(other.map((a) => a.areaCode)).toEqual(['110105002', '110105001']);
  });

  it('returns a later day first, even when an earlier alert stands further above its threshold', () => {
    // Prepare: 1.5 on 12 July, 1.25 on 13 July
    const earlier = seriesOf('110105002', [...flat(11), 5, 2]);
    const later = seriesOf('110105001', [...flat(12), 7]);

    // Act
    const one = detectAberrations([earlier, later], twoMethods, '2026-07-12');
    const other = detectAberrations([later, earlier], twoMethods, '2026-07-12');

    // Assess
    expect(one.map((a) => a.day)).toEqual(['2026-07-13', '2026-07-12']);
    expect(other.map((a) => a.day)).toEqual(['2026-07-13', '2026-07-12']);
  });
});

describe('detectionDelay, hand-computed', () => {
  // A spike from day 12 that signals on its third day: 3 and 4 orders (below minObserved), then 9
  // (C2 = 9 − 2 on a baseline of days 5-11); flat again after.
  const slowSpike = [...flat(12), 3, 4, 9, ...flat(5)];

  it('returns the days from the spike to its first signal', () => {
    // Act / Assess
    expect(detectionDelay(slowSpike, 12, rules)).toBe(2);
  });

  it('returns a signal exactly maxDelay days on, and null when it comes later', () => {
    // Act / Assess
    expect(detectionDelay(slowSpike, 12, rules, 'alert', 2)).toBe(2);
    expect(detectionDelay(slowSpike, 12, rules, 'alert', 1)).toBeNull();
  });

  it('returns null at the series’ end, even when told to look on without limit', () => {
    // Prepare: the series ends on the spike's second day
    const counts = slowSpike.slice(0, 14);

    // Act / Assess
    expect(detectionDelay(counts, 12, rules, 'alert', Number.POSITIVE_INFINITY)).toBeNull();
    expect(detectionDelay(slowSpike, 12, rules, 'alert', Number.POSITIVE_INFINITY)).toBe(2);
  });

  it('returns, for the alert, the first day any alertOn method signals', () => {
    // Prepare: a statistic of 3 signals C1 (threshold 2) but not C2 (4)
    const counts = [...flat(11), 5];

    // Act / Assess
    expect(detectionDelay(counts, 11, twoMethods)).toBe(0);
    expect(detectionDelay(counts, 11, twoMethods, 'C2')).toBeNull();
  });
});

describe('falseAlarmRate, hand-computed', () => {
  it('returns the days tested: those with the method’s full history, for the alert its shortest alerting method’s', () => {
    // Prepare: 20 days
    const series = [flat(20)];
    const c3ThenC1 = rulesWith({}, { alertOn: ['C3', 'C1'] });

    // Act / Assess: 20 − 7, 20 − 9, 20 − 11; the alert from C3 or C1 is tested from C1's day 7
    expect(falseAlarmRate(series, rules, 'C1').seriesDays).toBe(13);
    expect(falseAlarmRate(series, rules, 'C2').seriesDays).toBe(11);
    expect(falseAlarmRate(series, rules, 'C3').seriesDays).toBe(9);
    expect(falseAlarmRate(series, rules, 'alert').seriesDays).toBe(11);
    expect(falseAlarmRate(series, c3ThenC1, 'alert').seriesDays).toBe(13);
  });

  it('returns, by default for the alert, the alarms per 1 000 days tested', () => {
    // Prepare: one day of 9 on a flat 2 (C2 = 7), then 2 a day again
    const series = [[...flat(15), 9, ...flat(4)]];

    // Act
    const rate = falseAlarmRate(series, rules);

    // Assess: 1 alarm in the 20 − 9 days tested
    expect(rate).toEqual({ alarms: 1, seriesDays: 11, per1000: 1000 / 11 });
  });

  it('returns 0 per 1 000 when no day can be tested', () => {
    // Act / Assess
    expect(falseAlarmRate([flat(9)], rules)).toEqual({ alarms: 0, seriesDays: 0, per1000: 0 });
    expect(falseAlarmRate([], rules)).toEqual({ alarms: 0, seriesDays: 0, per1000: 0 });
  });
});

describe('evaluateEarlyWarning, hand-computed', () => {
  const seriesOf = (areaCode: string, counts: number[]): DailySeries => ({
    category: '0201',
    areaLevel: 'district',
    areaCode,
    firstDay: '2026-07-01',
    counts,
  });
  const spikeOn = (areaCode: string, day: string) => ({
    category: '0201',
    areaLevel: 'district' as const,
    areaCode,
    day,
  });

  it('returns the mean and longest delay over the spikes detected; an undetected spike or one of an unknown series is missed', () => {
    // Prepare: spikes planted on 13 July (day 12): signalled the same day (9 orders), two days on
    // (3, 4, then 9), never (flat), and one in a series that is not there; one clean series
    const series = [
      seriesOf('110101', [...flat(12), 9, ...flat(7)]),
      seriesOf('110102', [...flat(12), 3, 4, 9, ...flat(5)]),
      seriesOf('110105', flat(20)),
      seriesOf('110106', flat(20)),
    ];
    const planted = ['110101', '110102', '110105', '110108'].map((a) => spikeOn(a, '2026-07-13'));

    // Act
    const evaluation = evaluateEarlyWarning(series, planted, rules);

    // Assess: every method finds the first two (C1 on day 14: 9 − 17/7 over σ_min; C3: 6 + 1 + 0),
    // delays 0 and 2: mean 1, longest 2; false alarms on the clean series alone, tested on 20 days less 7, 9, 11 and 9
    expect(evaluation.map((e) => [e.method, e.spikes, e.detected, e.meanDelayDays, e.maxDelayDays])).toEqual([
      ['C1', 4, 2, 1, 2],
      ['C2', 4, 2, 1, 2],
      ['C3', 4, 2, 1, 2],
      ['alert', 4, 2, 1, 2],
    ]);
    expect(evaluation.map((e) => e.falseAlarms)).toEqual(
      [13, 11, 9, 11].map((seriesDays) => ({ alarms: 0, seriesDays, per1000: 0 })),
    );
  });

  it('returns no delay when no spike is detected', () => {
    // Act
    const evaluation = evaluateEarlyWarning(
      [seriesOf('110105', flat(20))],
      [spikeOn('110105', '2026-07-13')],
      rules,
    );

    // Assess
    for (const e of evaluation)
      expect(e).toMatchObject({ spikes: 1, detected: 0, meanDelayDays: null, maxDelayDays: null });
  });
});

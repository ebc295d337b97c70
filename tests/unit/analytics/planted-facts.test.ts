import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gridDisk } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import assessmentJson from '#data/assessment.json' with { type: 'json' };
import earlyWarningJson from '#data/early-warning.json' with { type: 'json' };
import hotspotsJson from '#data/hotspots.json' with { type: 'json' };
import outlookJson from '#data/outlook.json' with { type: 'json' };
import type { Insight, SpikeAlert } from '#domain/insights.ts';
import {
  addDays,
  dailyCountsFrom,
  dailySeries,
  earlyWarningRulesSchema,
  earsHistoryDays,
  evaluateEarlyWarning,
  gaussianFalseAlarmProbability,
  type PlantedSpike,
  type SeriesKey,
} from '#domain/mining/early-warning.ts';
import type { HotspotResult } from '#domain/mining/hotspots.ts';
import type { TopicCandidate } from '#domain/mining/monthly-topics.ts';
import type { SeasonalOutlook } from '#domain/mining/seasonal-outlook.ts';
import type { TownshipGovernance } from '#domain/mining/townships.ts';
import { type AnalyticsEngine, openDuckDb } from '../../../analytics/duckdb-engine.ts';
import type { PlantedFact } from '../../../analytics/generator/planted.ts';
import { type Manifest, runGenerator } from '../../../analytics/generator/run.ts';
import {
  type InsightSink,
  type MiningOptions,
  mineInsights,
} from '../../../functions/shared/mining/mine-insights.ts';
import { referenceData } from '../../../functions/shared/platform/reference.ts';

/**
 * The planted facts of the generator (`--plant`), found by the mining as the nightly run mines:
 * mineInsights over DuckDB, insights kept in memory. Where each fact is — category, district, cell,
 * days, peaks — is read from the manifest, never written here.
 *
 *   history   300 000 orders over 3 years ending 2026-11, with the planted facts: topics, outlook,
 *             alerts, hot spots, and the early warning's false alarms and detection delay;
 *   townships 200 000 orders in 2026-11 alone, same seed (so the same city and the same troubled
 *             townships), no plants. 治理类街乡镇 needs `minAssessed` (50) assessed orders in a
 *             township's month and compares orders per 10 000 residents with an absolute
 *             `minOrdersPer10k` (120): at the history's 8 000 orders a month no township reaches
 *             either, so this part is made at 200 000 a month.
 */
const seed = 'hotline';
const endMonth = '2026-11';
const rules = earlyWarningRulesSchema.parse(earlyWarningJson);
const governance = assessmentJson.governance;

let dirs: string[] = [];
let manifest: Manifest;
let townshipManifest: Manifest;
let history: AnalyticsEngine;
let townshipStore: AnalyticsEngine;
const insights: Insight[] = [];
const alerts: SpikeAlert[] = [];

const sink: InsightSink = {
  putInsight: async (i) => void insights.push(i),
  recordAlert: async (a) => {
    alerts.push(a);
    return true;
  },
  markAlertPublished: async () => undefined,
  topicChoicesBefore: async () => [],
};
const mine = (engine: AnalyticsEngine, options: MiningOptions) =>
  mineInsights(
    {
      engine,
      sink,
      reference: referenceData,
      publishSpikes: async () => undefined,
      now: () => Date.parse('2026-12-01T00:00:00Z'),
      runId: 'planted-facts',
    },
    options,
  );
const resultOf = <T>(kind: Insight['kind']): T => {
  const found = insights.find((i) => i.kind === kind);
  if (!found) throw new Error(`No ${kind} insight`);
  return found.result as T;
};
const planted = (kind: PlantedFact['kind']): PlantedFact => {
  const fact = manifest.planted.find((f) => f.kind === kind);
  if (!fact) throw new Error(`The manifest has no ${kind} fact`);
  return fact;
};
/** A category code cut to a taxonomy level (2 digits a level). */
const atLevel = (code: string, level: number) => code.slice(0, 2 * level);
const lastDay = (month: string) => addDays(`${addDays(`${month}-28`, 4).slice(0, 7)}-01`, -1);

beforeAll(async () => {
  dirs = [mkdtempSync(join(tmpdir(), 'planted-history-')), mkdtempSync(join(tmpdir(), 'planted-townships-'))];
  const [historyDir, townshipDir] = dirs as [string, string];
  manifest = (
    await runGenerator({
      options: { orders: 300_000, years: 3, endMonth, seed, plant: true },
      outDir: historyDir,
      workers: 2,
    })
  ).manifest;
  townshipManifest = (
    await runGenerator({
      options: { orders: 200_000, years: 1 / 12, endMonth, seed, plant: false },
      outDir: townshipDir,
      workers: 2,
    })
  ).manifest;
  history = await openDuckDb({ roots: [historyDir], materializeLatest: true });
  townshipStore = await openDuckDb({ roots: [townshipDir], materializeLatest: true });
  await mine(history, { month: endMonth, day: lastDay(endMonth), kinds: ['topics', 'outlook'] });
  for (const day of Object.keys(planted('spike').extraPerDay))
    await mine(history, { day, kinds: ['alerts'] });
  await mine(history, { day: planted('hotspot').to, kinds: ['hotspots'] });
  await mine(townshipStore, { month: endMonth, kinds: ['townships'] });
}, 180_000);

afterAll(() => {
  history?.close();
  townshipStore?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('the planted facts, mined', () => {
  it('returns the rising category among the month’s 每月一题 candidates, with its rise in the evidence', () => {
    // Prepare: compounding monthly growth over k months is a factor F on the same month last year
    const rising = planted('rising');
    const { monthlyGrowth, months } = rising.parameters as { monthlyGrowth: number; months: string[] };
    const factor = (1 + monthlyGrowth) ** months.length;
    const plantedRise = (factor - 1) / (factor + 1);

    // Act
    const { candidates } = resultOf<{ candidates: TopicCandidate[] }>('topics');
    const listed = candidates.find((c) => c.categoryCode === rising.categoryCode);
    const holder = candidates.find((c) => c.related.some((r) => r.categoryCode === rising.categoryCode));
    const shown = listed ?? holder?.related.find((r) => r.categoryCode === rising.categoryCode);

    // Assess: it holds a place, or stands under the higher-ranked candidate of its line (the family
    // rule of monthly-topics.ts), where the rise is its own, not its holder's
    expect(shown, `${rising.categoryCode} listed or related`).toBeDefined();
    const growth = shown?.evidence.components.growthOnLastYear;
    expect(growth?.raw).toBeGreaterThanOrEqual(plantedRise / 2);
    expect(growth?.contribution).toBeGreaterThan(0);
    if (!listed && holder) {
      expect(rising.categoryCode.startsWith(holder.categoryCode)).toBe(true);
      expect(growth?.raw).toBeGreaterThan(holder.evidence.components.growthOnLastYear.raw);
    }
  });

  it('returns an alert for the spike’s category and district on one of its days', () => {
    // Prepare
    const spike = planted('spike');
    const days = Object.keys(spike.extraPerDay);

    // Act
    const found = alerts.filter(
      (a) =>
        a.categoryCode === atLevel(spike.categoryCode, rules.categoryLevel) &&
        a.areaLevel === 'district' &&
        a.areaCode === spike.districtCode &&
        days.includes(a.day),
    );

    // Assess
    expect(found.length).toBeGreaterThan(0);
    for (const a of found) expect(a.statistic).toBeGreaterThan(a.threshold);
  });

  it('returns the hotspot’s cell, or a neighbour of it, as a hot spot of its category at 95 % or more', () => {
    // Prepare
    const hotspot = planted('hotspot');
    const place = hotspot.place;
    if (!place) throw new Error('The hotspot fact has no place');
    const near = new Set(gridDisk(place.h3_r9, 1));

    // Act
    const { hotspots } = resultOf<HotspotResult>('hotspots');
    const found = hotspots.filter(
      (h) => h.category === atLevel(hotspot.categoryCode, hotspotsJson.categoryLevel) && near.has(h.cell),
    );

    // Assess
    expect(found.length).toBeGreaterThan(0);
    expect(Math.max(...found.map((h) => h.confidence ?? 0))).toBeGreaterThanOrEqual(0.95);
  });

  it('returns the seasonal category forecast better than seasonal naive, its peak months in its index', () => {
    // Prepare: the calendar months of the planted peaks
    const seasonal = planted('seasonal');
    const peaks = (seasonal.parameters as { peaks: { date: string }[] }).peaks;
    const peakMonths = [...new Set(peaks.map((p) => Number(p.date.slice(0, 2)) - 1))].sort((a, b) => a - b);

    // Act
    const outlook = resultOf<SeasonalOutlook>('outlook');
    const category = outlook.categories.find(
      (c) => c.category === atLevel(seasonal.categoryCode, outlookJson.categoryLevel),
    );

    // Assess
    const backtest = category?.backtest;
    expect(backtest?.beatsBaseline).toBe(true);
    expect(backtest?.model.mase).toBeLessThan(backtest?.seasonalNaive.mase ?? 0);
    const index = category?.seasonalIndex ?? [];
    const highest = index
      .map((v, m) => [v, m] as const)
      .sort((a, b) => b[0] - a[0])
      .slice(0, peakMonths.length)
      .map(([, m]) => m)
      .sort((a, b) => a - b);
    expect(highest).toEqual(peakMonths);
    for (const m of peakMonths) expect(index[m]).toBeGreaterThanOrEqual(outlookJson.season.startIndex);
  });

  it('returns the townships the generator made weak as the 治理类街乡镇 proposals', () => {
    // Prepare: 7 % of townships are troubled: a random list would hold about that share
    const troubled = new Set(townshipManifest.troubledTownships.map((t) => t.streetCode));

    // Act
    const { proposals } = resultOf<{ proposals: TownshipGovernance[] }>('townships');
    const weak = proposals.filter((p) => troubled.has(p.streetCode));

    // Assess: the same city as the history; at least half the list filled, at least three in four
    // troubled, each for what the generator gave it (far more orders per resident, a weaker office)
    expect(townshipManifest.troubledTownships).toEqual(manifest.troubledTownships);
    expect(proposals.length).toBeGreaterThanOrEqual(governance.maxProposals / 2);
    expect(weak.length / proposals.length).toBeGreaterThanOrEqual(0.75);
    for (const p of weak)
      expect(
        p.reasons.some((r) => (r.criterion === 'ordersPer10k' || r.criterion === 'composite') && r.met),
      ).toBe(true);
  });
});

describe('the early warning on generated data', () => {
  const days = 60;

  /** The category × area series of the last `days` days, with the days C2 needs before them. */
  const seriesOf = async (engine: AnalyticsEngine, area: SeriesKey['areaLevel'], to: string) => {
    const from = addDays(to, 1 - days - earsHistoryDays(rules, 'C2'));
    const rows = await engine.queryFile('daily_counts', { level: rules.categoryLevel, area, from, to });
    return dailySeries(dailyCountsFrom(rows), area, from, to);
  };

  /** Whether a planted fact added orders to a series: its category, and its place or the whole city. */
  const touched = (s: SeriesKey) =>
    manifest.planted.some((f) => {
      if (atLevel(f.categoryCode, rules.categoryLevel) !== s.category) return false;
      if (f.districtCode === null) return true;
      const district = s.areaLevel === 'district' ? s.areaCode : referenceData.area(s.areaCode)?.parentCode;
      if (district !== f.districtCode) return false;
      // the spike's orders fall in any township of its district; the hotspot's at one place
      return s.areaLevel === 'district' || f.streetCode === null || f.streetCode === s.areaCode;
    });

  it('returns false alarms on the unplanted series within what C2’s alpha allows, and the spike at once', async () => {
    // Prepare: with a 7-day baseline, C2 at α signals on P(t₆ > z_{1−α}/√(8/7)) of clean days
    const bound = 1000 * gaussianFalseAlarmProbability(rules, 'C2');
    const spike = planted('spike');
    const key = {
      category: atLevel(spike.categoryCode, rules.categoryLevel),
      areaLevel: 'district' as const,
      areaCode: spike.districtCode ?? '',
    };
    const spikes: PlantedSpike[] = [{ ...key, day: spike.from }];
    const isSpike = (s: SeriesKey) => s.areaLevel === key.areaLevel && s.areaCode === key.areaCode;

    // Act
    const measured = [];
    for (const area of rules.areaLevels) {
      const series = (await seriesOf(history, area, lastDay(endMonth))).filter(
        (s) => !touched(s) || (isSpike(s) && s.category === key.category),
      );
      const planted = area === 'district' ? spikes : [];
      const c2 = evaluateEarlyWarning(series, planted, rules).find((e) => e.method === 'C2');
      measured.push({ area, clean: series.length - planted.length, c2 });
    }

    // Assess
    for (const { area, clean, c2 } of measured) {
      expect(c2?.falseAlarms.seriesDays, area).toBe(clean * days);
      expect(c2?.falseAlarms.per1000, area).toBeLessThanOrEqual(bound);
    }
    const district = measured.find((m) => m.area === 'district')?.c2;
    expect(district?.detected).toBe(1);
    expect(district?.maxDelayDays).toBeLessThan(Object.keys(spike.extraPerDay).length);
    console.info(
      `early warning, last ${days} days, C2 (bound ${bound.toFixed(1)} per 1 000): ${measured
        .map(
          (m) =>
            `${m.area} ${m.c2?.falseAlarms.alarms} alarms in ${m.c2?.falseAlarms.seriesDays} series-days = ${m.c2?.falseAlarms.per1000.toFixed(2)} per 1 000`,
        )
        .join('; ')}; spike delay ${district?.maxDelayDays} days`,
    );
  });
});

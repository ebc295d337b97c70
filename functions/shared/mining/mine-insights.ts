import areasJson from '#data/areas.json' with { type: 'json' };
import assessmentJson from '#data/assessment.json' with { type: 'json' };
import earlyWarningJson from '#data/early-warning.json' with { type: 'json' };
import hotspotsJson from '#data/hotspots.json' with { type: 'json' };
import outlookJson from '#data/outlook.json' with { type: 'json' };
import topicsJson from '#data/topics.json' with { type: 'json' };
import { assessmentRulesSchema, governanceRuleSchema, rankUnits } from '#domain/assessment.ts';
import { addDaysToDate, addMonthsToMonth, chinaDateOf } from '#domain/china-time.ts';
import { alertIdOf, type Insight, type InsightKind, type SpikeAlert } from '#domain/insights.ts';
import {
  dailyCountsFrom,
  dailySeries,
  detectAberrations,
  earlyWarningRulesSchema,
  earsWindowStart,
} from '#domain/mining/early-warning.ts';
import {
  addressRepeatRowsFrom,
  addressRepeats,
  cellCountsFrom,
  findHotspots,
  hotspotRulesSchema,
} from '#domain/mining/hotspots.ts';
import {
  type EarlierChoice,
  monthlyTopicCandidates,
  topicsConfigSchema,
} from '#domain/mining/monthly-topics.ts';
import {
  categoryMonthCountsFrom,
  categoryStreetMonthCountsFrom,
  outlookRulesSchema,
  prepareNow,
  sameMonthsLastYear,
  seasonalOutlook,
} from '#domain/mining/seasonal-outlook.ts';
import { populationsOf, townshipGovernance } from '#domain/mining/townships.ts';
import type { ReferenceData, UnitClass } from '#domain/reference-data.ts';
import { unitClasses } from '#domain/reference-data.ts';
import type { AnalyticsEngine } from '#shared/gateways/analytics-engine.ts';
import { queryUnitMonthRates } from './rates.ts';
import { queryTopicFigures } from './topic-figures.ts';
import { queryTownshipFigures } from './township-figures.ts';

/**
 * One mining run (主动治理): the SQL files on the analytics store — Athena in AWS, DuckDB on one
 * machine, through the same engine interface — then the domain's pure mining on the aggregates, and
 * each insight stored whole for its period. Nightly by schedule, or on demand.
 *   month  the CST month mined for monthly insights (default: the last complete one)
 *   day    the CST day mined for alerts and hot spots (default: yesterday; see defaultPeriod)
 */
export interface InsightSink {
  putInsight(insight: Insight): Promise<void>;
  /** Creates the alert unless it exists; whether it is still to be published. */
  recordAlert(alert: SpikeAlert): Promise<boolean>;
  markAlertPublished(id: string): Promise<void>;
  topicChoicesBefore(month: string): Promise<readonly EarlierChoice[]>;
}

export interface MiningDeps {
  readonly engine: AnalyticsEngine;
  readonly sink: InsightSink;
  readonly reference: ReferenceData;
  /** Puts `Insight Spike Detected` events on the bus; throws when it could not. */
  readonly publishSpikes: (alerts: readonly SpikeAlert[]) => Promise<void>;
  readonly now: () => number;
  readonly runId: string;
  /** One line per step, for a terminal or a log. */
  readonly progress?: (line: string) => void;
}

export interface MiningOptions {
  readonly month?: string;
  readonly day?: string;
  /** Only these kinds (all by default). */
  readonly kinds?: readonly (InsightKind | 'alerts')[];
}

export interface MiningStep {
  readonly kind: InsightKind | 'alerts';
  readonly period: string;
  readonly ms: number;
  readonly summary: string;
}

export interface MiningReport {
  readonly runId: string;
  readonly month: string;
  readonly day: string;
  readonly steps: readonly MiningStep[];
}

const assessmentRules = assessmentRulesSchema.parse(assessmentJson.rules);
const governanceRule = governanceRuleSchema.parse(assessmentJson.governance);
const topicsConfig = topicsConfigSchema.parse(topicsJson);
const populations = populationsOf(areasJson.items);
const outlookRules = outlookRulesSchema.parse(outlookJson);
const earlyWarningRules = earlyWarningRulesSchema.parse(earlyWarningJson);
const hotspotRules = hotspotRulesSchema.parse(hotspotsJson);

/** How many months of 三率 a trend shows. */
const TREND_MONTHS = 6;
/** How many days up to the mined day the early warning looks at. */
const ALERT_DAYS = 7;
/** How many months the category × month heatmap covers. */
const HEATMAP_MONTHS = 36;

type Step = (ctx: {
  readonly deps: MiningDeps;
  readonly month: string;
  readonly day: string;
  readonly stored: (kind: InsightKind, period: string, result: unknown, stats?: object) => Promise<void>;
}) => Promise<{ period: string; summary: string }>;

const topics: Step = async ({ deps, month, stored }) => {
  const figures = await queryTopicFigures(deps.engine, month, topicsConfig);
  const ranked = monthlyTopicCandidates(
    month,
    figures,
    topicsConfig,
    await deps.sink.topicChoicesBefore(month),
  );
  const candidates = ranked.candidates.map((c) => ({
    ...c,
    name: deps.reference.category(c.categoryCode)?.name,
  }));
  await stored('topics', month, { ...ranked, candidates });
  return {
    period: month,
    summary: `${candidates.length} candidates of ${ranked.eligible} eligible categories`,
  };
};

const townships: Step = async ({ deps, month, stored }) => {
  const governance = townshipGovernance(
    await queryTownshipFigures(deps.engine, month),
    populations,
    assessmentRules,
    governanceRule,
  );
  const named = <T extends { streetCode: string }>(t: T) => {
    const area = deps.reference.area(t.streetCode);
    return { ...t, name: area?.name, districtCode: area?.parentCode };
  };
  await stored('townships', month, {
    month,
    rule: governanceRule,
    townships: governance.townships.map(named),
    proposals: governance.proposals.map(named),
  });
  return {
    period: month,
    summary: `${governance.proposals.length} of ${governance.townships.length} proposed`,
  };
};

const rates: Step = async ({ deps, month, stored }) => {
  const months = Array.from({ length: TREND_MONTHS }, (_, i) =>
    addMonthsToMonth(month, i - TREND_MONTHS + 1),
  );
  const byMonth = new Map<string, Awaited<ReturnType<typeof queryUnitMonthRates>>>();
  for (const m of months) byMonth.set(m, await queryUnitMonthRates(deps.engine, m, assessmentRules));
  let ranked = 0;
  for (const unitClass of unitClasses) {
    const classRules = assessmentRules[unitClass as UnitClass];
    if (!classRules) continue;
    const ofClass = (m: string) => (byMonth.get(m) ?? []).filter((u) => u.unitClass === unitClass);
    const items = rankUnits(ofClass(month), classRules).map((u) => ({
      ...u,
      name: deps.reference.unit(u.unitId)?.name,
      trend: months.map((m) => ({
        month: m,
        composite: ofClass(m).find((x) => x.unitId === u.unitId)?.rates.composite ?? null,
      })),
    }));
    ranked += items.length;
    await stored('rates', `${month}#${unitClass}`, {
      month,
      class: unitClass,
      rules: classRules,
      months,
      items,
    });
  }
  return { period: month, summary: `${ranked} units ranked over ${unitClasses.length} classes` };
};

const heatmap: Step = async ({ deps, month, stored }) => {
  const from = addMonthsToMonth(month, 1 - HEATMAP_MONTHS);
  const rows = await deps.engine.queryFile('category_month_heatmap', {
    from_month: from,
    to_month: month,
    level: 2,
  });
  const cells = rows.map((r) => ({
    categoryCode: String(r.category_code),
    month: String(r.received_month),
    orders: Number(r.orders),
  }));
  const codes = [...new Set(cells.map((c) => c.categoryCode))].sort();
  await stored('heatmap', month, {
    level: 2,
    from,
    to: month,
    categories: codes.map((code) => ({ code, name: deps.reference.category(code)?.name })),
    cells,
  });
  return { period: month, summary: `${codes.length} categories × ${HEATMAP_MONTHS} months` };
};

const outlook: Step = async ({ deps, month, stored }) => {
  const counts = categoryMonthCountsFrom(
    await deps.engine.queryFile('category_month_counts', { level: outlookRules.categoryLevel }),
  );
  const result = seasonalOutlook(counts, month, outlookRules);
  const lastYear = sameMonthsLastYear(result);
  const streetCounts = categoryStreetMonthCountsFrom(
    await deps.engine.queryFile('category_street_month_counts', {
      level: outlookRules.categoryLevel,
      from: lastYear.from,
      to: lastYear.to,
    }),
  );
  const prepare = prepareNow(result, streetCounts, outlookRules).map((item) => ({
    ...item,
    name: deps.reference.category(item.category)?.name,
    townships: item.townships.map((t) => ({ ...t, name: deps.reference.area(t.street)?.name })),
  }));
  const categories = result.categories.map((c) => ({
    ...c,
    name: deps.reference.category(c.category)?.name,
  }));
  await stored('outlook', month, { ...result, categories, prepareNow: prepare });
  return {
    period: month,
    summary: `${result.summary.beatBaseline} of ${result.summary.backtested} categories beat seasonal naive; ${prepare.length} to prepare`,
  };
};

const hotspots: Step = async ({ deps, day, stored }) => {
  const from = addDaysToDate(day, 1 - hotspotRules.windowDays);
  const window = { level: hotspotRules.categoryLevel, from, to: day };
  const found = findHotspots(
    cellCountsFrom(await deps.engine.queryFile('hotspot_cells', window)),
    hotspotRules,
  );
  const repeats = addressRepeats(
    addressRepeatRowsFrom(
      await deps.engine.queryFile('address_repeats', {
        ...window,
        min_orders: hotspotRules.repeats.minOrders,
      }),
    ),
    hotspotRules,
  );
  const named = <T extends { category: string }>(x: T) => ({
    ...x,
    name: deps.reference.category(x.category)?.name,
  });
  await stored('hotspots', day, {
    from,
    to: day,
    ...found,
    hotspots: found.hotspots.map(named),
    categories: found.categories.map(named),
    repeats: repeats.map(named),
  });
  return { period: day, summary: `${found.hotspots.length} hot cells, ${repeats.length} repeated addresses` };
};

/**
 * Art. 29: the day's aberrations become alerts, each recorded once and published once on the bus
 * (`Insight Spike Detected`); a run repeated after a crash publishes what the first could not.
 */
const alerts: Step = async ({ deps, day }) => {
  // The week up to the day, not the day alone: a run after a missed night, or rows that came late,
  // still raise their alerts; an alert found again is not recorded or published twice.
  const firstDay = addDaysToDate(day, 1 - ALERT_DAYS);
  const from = earsWindowStart(firstDay, earlyWarningRules);
  const found = [];
  for (const area of earlyWarningRules.areaLevels) {
    const rows = await deps.engine.queryFile('daily_counts', {
      level: earlyWarningRules.categoryLevel,
      area,
      from,
      to: day,
    });
    found.push(
      ...detectAberrations(dailySeries(dailyCountsFrom(rows), area, from, day), earlyWarningRules, firstDay),
    );
  }
  const detectedAt = new Date(deps.now()).toISOString();
  const toPublish: SpikeAlert[] = [];
  for (const a of found) {
    const alert: SpikeAlert = {
      id: alertIdOf({
        day: a.day,
        categoryCode: a.category,
        areaLevel: a.areaLevel,
        areaCode: a.areaCode,
        method: a.method,
      }),
      day: a.day,
      categoryCode: a.category,
      areaLevel: a.areaLevel,
      areaCode: a.areaCode,
      method: a.method,
      observed: a.observed,
      expected: a.expected,
      statistic: a.statistic,
      threshold: a.threshold,
      detectedAt,
      runId: deps.runId,
    };
    if (await deps.sink.recordAlert(alert)) toPublish.push(alert);
  }
  if (toPublish.length > 0) await deps.publishSpikes(toPublish);
  for (const alert of toPublish) await deps.sink.markAlertPublished(alert.id);
  return { period: day, summary: `${found.length} alerts, ${toPublish.length} published` };
};

const steps: Readonly<Record<InsightKind | 'alerts', Step>> = {
  topics,
  townships,
  rates,
  heatmap,
  outlook,
  hotspots,
  alerts,
};

/**
 * The day and month a run mines when the caller names none: yesterday and the last complete month —
 * or, when the store's newest order is older than yesterday (a history generated up to some month),
 * that order's day, and its month if that day closes it.
 */
export const defaultPeriod = (nowMs: number, newestDay: string | null): { month: string; day: string } => {
  const yesterday = addDaysToDate(chinaDateOf(nowMs), -1);
  const day = newestDay !== null && newestDay < yesterday ? newestDay : yesterday;
  const closesMonth = addDaysToDate(day, 1).slice(0, 7) !== day.slice(0, 7);
  return { day, month: closesMonth ? day.slice(0, 7) : addMonthsToMonth(day.slice(0, 7), -1) };
};

export const mineInsights = async (deps: MiningDeps, options: MiningOptions = {}): Promise<MiningReport> => {
  const needsDefault = options.month === undefined || options.day === undefined;
  const newest = needsDefault
    ? ((await deps.engine.queryFile('newest_day'))[0]?.day as string | null | undefined)
    : undefined;
  const fallback = defaultPeriod(deps.now(), newest ?? null);
  const month = options.month ?? fallback.month;
  const day = options.day ?? fallback.day;
  const kinds = options.kinds ?? (Object.keys(steps) as (InsightKind | 'alerts')[]);
  const stored = (kind: InsightKind, period: string, result: unknown, stats: object = {}) =>
    deps.sink.putInsight({
      kind,
      period,
      computedAt: new Date(deps.now()).toISOString(),
      runId: deps.runId,
      stats: { month, day, ...stats },
      result,
    });
  const done: MiningStep[] = [];
  for (const kind of kinds) {
    const step = steps[kind];
    const started = Date.now();
    const { period, summary } = await step({ deps, month, day, stored });
    const ms = Date.now() - started;
    done.push({ kind, period, ms, summary });
    deps.progress?.(`${kind.padEnd(10)} ${period.padEnd(10)} ${String(ms).padStart(6)} ms  ${summary}`);
  }
  return { runId: deps.runId, month, day, steps: done };
};

import { gridDisk, latLngToCell } from 'h3-js';
import areas from '../../data/areas.json' with { type: 'json' };
import assessment from '../../data/assessment.json' with { type: 'json' };
import categories from '../../data/categories.json' with { type: 'json' };
import hotspotRulesJson from '../../data/hotspots.json' with { type: 'json' };
import outlookRulesJson from '../../data/outlook.json' with { type: 'json' };
import topicsJson from '../../data/topics.json' with { type: 'json' };
import units from '../../data/units.json' with { type: 'json' };
import {
  assessmentRulesSchema,
  governanceRuleSchema,
  type RateCounts,
  rankUnits,
  threeRates,
} from '../../functions/domain/assessment.ts';
import {
  alertIdOf,
  type Insight,
  type InsightKind,
  type SpikeAlert,
} from '../../functions/domain/insights.ts';
import {
  addressRepeats,
  type CellCount,
  findHotspots,
  hotspotRulesSchema,
} from '../../functions/domain/mining/hotspots.ts';
import {
  monthlyTopicCandidates,
  type TopicFigures,
  topicsConfigSchema,
} from '../../functions/domain/mining/monthly-topics.ts';
import {
  addMonths,
  type CategoryMonthCount,
  type CategoryStreetMonthCount,
  outlookRulesSchema,
  prepareNow,
  seasonalOutlook,
} from '../../functions/domain/mining/seasonal-outlook.ts';
import {
  populationsOf,
  type TownshipFigures,
  townshipGovernance,
} from '../../functions/domain/mining/townships.ts';
import { envNames } from '../../infra/wiring.ts';
import { LOCAL_TABLE } from '../../local/stack.ts';

/**
 * Insights for the browser tests, put straight into the stack's table with the insight store, until the
 * nightly mining is wired end to end (then the tests will mine generated + replayed history instead).
 * Each result is made by the domain's own mining functions from small synthetic figures (seeded, so
 * every run stores the same), wrapped as functions/shared/mining/mine-insights.ts stores it.
 */
export interface SeededInsights {
  readonly month: string;
  /** The hot spots' window end. */
  readonly day: string;
  readonly alertsFrom: string;
  readonly alertsTo: string;
  /** A category chosen as 每月一题 in an earlier month (so a candidate is marked). */
  readonly chosen: { readonly categoryCode: string; readonly month: string };
}

/** A small linear congruential generator: the same seed, the same figures. */
const random = (seed: number) => {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
};

const streets = areas.items.filter((a) => a.level === 'street');
const level2 = categories.items.filter((c) => c.level === 2).map((c) => c.code);
const rules = assessmentRulesSchema.parse(assessment.rules);
const governance = governanceRuleSchema.parse(assessment.governance);

const countsOf = (rnd: () => number, assessed: number): RateCounts => {
  const answered = Math.round(assessed * (0.6 + 0.3 * rnd()));
  const solved = Math.round(answered * (0.5 + 0.45 * rnd()));
  const partlySolved = Math.round((answered - solved) * rnd());
  const satisfied = Math.round(answered * (0.55 + 0.4 * rnd()));
  const basicallySatisfied = Math.round((answered - satisfied) * rnd());
  return {
    assessed,
    respondedInTime: Math.round(assessed * (0.8 + 0.2 * rnd())),
    answered,
    solved,
    partlySolved,
    satisfied,
    basicallySatisfied,
    unreachable: Math.round((assessed - answered) * 0.5),
    excluded: Math.round(assessed * 0.02),
  };
};

const ratesResult = (month: string, unitClass: 'street' | 'district', rnd: () => number) => {
  const classRules = rules[unitClass];
  if (!classRules) throw new Error(`no rules for ${unitClass}`);
  const members = units.items.filter((u) => u.class === unitClass).slice(0, unitClass === 'street' ? 40 : 16);
  const months = Array.from({ length: 6 }, (_, i) => addMonths(month, i - 5));
  const history = new Map(
    members.map((u) => [
      u.id,
      months.map((m) => ({ month: m, counts: countsOf(rnd, 40 + Math.floor(rnd() * 160)) })),
    ]),
  );
  const ranked = rankUnits(
    members.map((u) => ({ unitId: u.id, counts: history.get(u.id)?.at(-1)?.counts ?? countsOf(rnd, 50) })),
    classRules,
  );
  return {
    month,
    class: unitClass,
    rules: classRules,
    months,
    items: ranked.map((r) => ({
      ...r,
      name: members.find((u) => u.id === r.unitId)?.name,
      trend: (history.get(r.unitId) ?? []).map((p) => ({
        month: p.month,
        composite: threeRates(p.counts, classRules).composite,
      })),
    })),
  };
};

/** The outlook's categories as they were counted, and a season of its own for each other category. */
const heatmapResult = (month: string, rnd: () => number, counted: readonly CategoryMonthCount[]) => {
  const months = Array.from({ length: 12 }, (_, i) => addMonths(month, i - 11));
  const codes = [...new Set([...level2.slice(0, 16), ...counted.map((r) => r.category)])].sort();
  const cells = codes.flatMap((categoryCode, k) =>
    months.map((m, i) => ({
      categoryCode,
      month: m,
      orders:
        counted.find((r) => r.category === categoryCode && r.month === m)?.orders ??
        // A season per category (peak month k), over a base volume.
        Math.round(200 + 50 * k + 400 * Math.max(0, Math.cos(((i - k) / 12) * 2 * Math.PI)) + 60 * rnd()),
    })),
  );
  const named = codes.map((code) => ({ code, name: categories.items.find((c) => c.code === code)?.name }));
  return { level: 2, from: months[0], to: month, categories: named, cells };
};

const topicsResult = (month: string, rnd: () => number, chosen: SeededInsights['chosen']) => {
  const figures: TopicFigures[] = level2.slice(0, 18).map((categoryCode, k) => {
    const orders = 60 + Math.floor(rnd() * 900) + (k === 3 ? 1500 : 0);
    const answered = Math.round(orders * 0.6);
    return {
      categoryCode,
      level: 2,
      parentCode: categoryCode.slice(0, 2),
      orders,
      townships: 5 + Math.floor(rnd() * 120),
      answered,
      unsolved: Math.round(answered * rnd() * 0.4),
      dissatisfied: Math.round(answered * rnd() * 0.3),
      repeatOrders: Math.round(orders * rnd() * 0.2),
      lastYearOrders: Math.round(orders * (0.5 + rnd())),
      trailingOrders: Math.round(orders * (2 + 2 * rnd())),
      comparableYears: 2,
      elevatedYears: Math.floor(rnd() * 3),
    };
  });
  return monthlyTopicCandidates(month, figures, topicsConfigSchema.parse(topicsJson), [chosen]);
};

const outlookResult = (month: string, rnd: () => number) => {
  const rulesOf = outlookRulesSchema.parse(outlookRulesJson);
  const history = 36;
  // Heating (0301) peaks in winter, drainage (0702) in summer, the others are flat or rising.
  const shapes: Record<string, (calendarMonth: number) => number> = {
    '0301': (m) => ([10, 11, 0, 1, 2].includes(m) ? 3.5 : 0.4),
    '0702': (m) => ([6, 7].includes(m) ? 4 : 0.5),
    '1001': (m) => ([5, 6, 7].includes(m) ? 1.8 : 0.8),
    '0201': () => 1,
    '0804': () => 1,
    '0107': (m) => ([11, 0, 1].includes(m) ? 4 : 0.2),
  };
  const rows: CategoryMonthCount[] = Object.entries(shapes).flatMap(([category, shape]) =>
    Array.from({ length: history }, (_, i) => {
      const m = addMonths(month, i - history + 1);
      const calendar = Number(m.slice(5)) - 1;
      return {
        category,
        month: m,
        orders: Math.round(300 * shape(calendar) * (1 + i / 60) * (0.9 + 0.2 * rnd())),
      };
    }),
  );
  const outlook = seasonalOutlook(rows, month, rulesOf);
  const streetCounts: CategoryStreetMonthCount[] = outlook.months.flatMap((m) =>
    Object.keys(shapes).flatMap((category) =>
      streets
        .slice(0, 12)
        .map((s, k) => ({ category, street: s.code, month: addMonths(m, -12), orders: 5 + k * 3 })),
    ),
  );
  // As the mining stores it (functions/shared/mining/mine-insights.ts): the outlook and its list.
  return { result: { ...outlook, prepareNow: prepareNow(outlook, streetCounts, rulesOf) }, rows };
};

const hotspotsResult = (day: string, rnd: () => number) => {
  const rulesOf = hotspotRulesSchema.parse(hotspotRulesJson);
  const background = streets.slice(0, 200).map((s) => latLngToCell(s.lat, s.lng, 9));
  // A planted cluster in 朝阳区 (near 39.92, 116.46): property management (0201) well above its share.
  const centre = latLngToCell(39.9219, 116.4551, 9);
  const cluster = gridDisk(centre, 1);
  const counts: CellCount[] = [];
  for (const cell of new Set([...background, ...cluster])) {
    const planted = cluster.includes(cell);
    counts.push({
      cell,
      category: '0201',
      orders: planted ? 30 + Math.floor(rnd() * 10) : 1 + Math.floor(rnd() * 3),
    });
    counts.push({ cell, category: '0804', orders: 3 + Math.floor(rnd() * 3) });
    counts.push({ cell, category: '1001', orders: 3 + Math.floor(rnd() * 3) });
  }
  const hotspots = findHotspots(counts, rulesOf);
  const repeats = addressRepeats(
    [0, 1, 2, 3].map((k) => ({
      address: `a${k}f3e9c${k}1b77d0e2a4c9`,
      category: k % 2 ? '0201' : '1001',
      orders: 8 - k,
      requesters: 3 - (k % 2),
      firstDay: `${day.slice(0, 8)}01`,
      lastDay: day,
      street: streets[k]?.code ?? null,
      cell: cluster[k] ?? null,
      unsolved: k,
      open: 1,
    })),
    rulesOf,
  );
  return { from: addDays(day, 1 - rulesOf.windowDays), to: day, ...hotspots, repeats };
};

const townshipsResult = (month: string, rnd: () => number) => {
  const figures: TownshipFigures[] = streets.slice(0, 60).map((s, k) => {
    const orders = 80 + Math.floor(rnd() * 900) + (k % 9 === 0 ? 900 : 0);
    return {
      streetCode: s.code,
      orders,
      overdueOrders: Math.round(orders * rnd() * 0.2),
      previousOrders: [Math.round(orders * (0.6 + 0.5 * rnd())), Math.round(orders * 0.8), null],
      counts: countsOf(rnd, 40 + Math.floor(rnd() * 200)),
    };
  });
  return {
    month,
    rule: governance,
    ...townshipGovernance(figures, populationsOf(areas.items), rules, governance),
  };
};

const addDays = (day: string, k: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + k * 86_400_000).toISOString().slice(0, 10);

const alertsOf = (from: string, rnd: () => number): SpikeAlert[] =>
  [0, 2, 2, 5, 9].map((offset, k) => {
    const day = addDays(from, offset);
    const street = streets[k * 7];
    const base = {
      day,
      categoryCode: level2[k + 2] ?? '0101',
      areaLevel: k % 2 === 0 ? ('district' as const) : ('street' as const),
      areaCode: k % 2 === 0 ? (street?.parentCode ?? '110105') : (street?.code ?? '110105001'),
      method: k === 4 ? 'C3' : 'C2',
    };
    const expected = 4 + rnd() * 6;
    return {
      ...base,
      id: alertIdOf(base),
      observed: Math.round(expected * 3 + 5),
      expected,
      statistic: 3.2 + rnd() * 4,
      threshold: 3,
      detectedAt: new Date().toISOString(),
      runId: 'browser-test-seed',
    };
  });

/** Puts one insight of every kind (and a few alerts, and a topic choice) into the stack's table. */
export const seedInsights = async (dynamoEndpoint: string, at: { month: string; day: string }) => {
  Object.assign(process.env, {
    [envNames.table]: LOCAL_TABLE,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_REGION: 'local',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  // Loaded now: the store reads its table name and endpoint when it is first imported.
  const store = await import('../../functions/shared/insight-store.ts');
  const rnd = random(20261205);
  const chosen = { categoryCode: level2[3] ?? '0104', month: addMonths(at.month, -2) };
  const computedAt = new Date().toISOString();
  const put = (kind: InsightKind, period: string, result: unknown) =>
    store.putInsight({
      kind,
      period,
      computedAt,
      runId: 'browser-test-seed',
      stats: { engine: 'seed' },
      result,
    } satisfies Insight);
  await put('rates', `${at.month}#street`, ratesResult(at.month, 'street', rnd));
  await put('rates', `${at.month}#district`, ratesResult(at.month, 'district', rnd));
  const outlook = outlookResult(at.month, rnd);
  await put('heatmap', at.month, heatmapResult(at.month, rnd, outlook.rows));
  await put('topics', at.month, topicsResult(at.month, rnd, chosen));
  await put('outlook', at.month, outlook.result);
  await put('hotspots', at.day, hotspotsResult(at.day, rnd));
  await put('townships', at.month, townshipsResult(at.month, rnd));
  await store.putTopicChoice({ ...chosen, by: 'browser-test', at: computedAt });
  const alertsFrom = `${at.month}-01`;
  for (const alert of alertsOf(alertsFrom, rnd)) await store.recordAlert(alert);
  return { ...at, alertsFrom, alertsTo: `${at.month}-30`, chosen } satisfies SeededInsights;
};

/**
 * What the page reads from the API, read defensively: an insight is `{ kind, period, computedAt, runId,
 * stats, result }` (functions/domain/insights.ts) and each kind's `result` is what the mining of that
 * kind stores (functions/domain/mining/*.ts). A field that is missing or of another type becomes
 * `undefined`/`null` and the page shows "—", never a broken view. Field names the mining may use for
 * the same figure (camelCase from the domain, snake_case straight from SQL) are all accepted.
 */
type Loose = Record<string, unknown>;

export const obj = (x: unknown): Loose =>
  x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Loose) : {};
export const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
export const num = (x: unknown): number | null => {
  if (typeof x === 'number' && Number.isFinite(x)) return x;
  if (typeof x === 'string' && x.trim() !== '' && Number.isFinite(Number(x))) return Number(x);
  return null;
};
export const str = (x: unknown): string | undefined =>
  typeof x === 'string' ? x : typeof x === 'number' ? String(x) : undefined;

/** The first of `keys` that `o` has (not undefined/null). */
export const pick = (o: Loose, ...keys: readonly string[]): unknown => {
  for (const k of keys) if (o[k] !== undefined && o[k] !== null) return o[k];
  return undefined;
};

/** The first array among `keys` of `o`, or `o` itself when it is an array. */
export const listIn = (o: unknown, ...keys: readonly string[]): unknown[] => {
  if (Array.isArray(o)) return o;
  const value = pick(obj(o), ...keys);
  return arr(value);
};

export interface InsightEnvelope {
  readonly kind: string | undefined;
  readonly period: string | undefined;
  readonly computedAt: string | undefined;
  readonly runId: string | undefined;
  readonly result: unknown;
}

export const envelope = (body: unknown): InsightEnvelope => {
  const o = obj(body);
  return {
    kind: str(o.kind),
    period: str(o.period),
    computedAt: str(o.computedAt),
    runId: str(o.runId),
    result: o.result ?? o,
  };
};

// ---- 三率 ------------------------------------------------------------------------------------------

export interface Rates {
  readonly response: number | null;
  readonly resolution: number | null;
  readonly satisfaction: number | null;
  readonly composite: number | null;
}

export interface UnitRates extends Rates {
  readonly unitId: string;
  readonly name: string | undefined;
  readonly rank: number | null;
  readonly assessed: number | null;
  /** Composite by month, oldest first. */
  readonly trend: readonly { readonly month: string; readonly composite: number | null }[];
}

export const ratesOf = (x: unknown): Rates => {
  const o = obj(x);
  const r = obj(o.rates ?? o);
  return {
    response: num(pick(r, 'response', 'responseRate', 'response_rate')),
    resolution: num(pick(r, 'resolution', 'resolutionRate', 'resolution_rate')),
    satisfaction: num(pick(r, 'satisfaction', 'satisfactionRate', 'satisfaction_rate')),
    composite: num(pick(r, 'composite', 'score')),
  };
};

const trendOf = (x: unknown): UnitRates['trend'] => {
  const points = Array.isArray(x)
    ? x.map((p) => {
        const o = obj(p);
        return { month: str(pick(o, 'month', 'period')) ?? '', composite: ratesOf(o).composite };
      })
    : Object.entries(obj(x)).map(([month, v]) => ({
        month,
        composite: typeof v === 'number' ? v : ratesOf(v).composite,
      }));
  return points.filter((p) => p.month !== '').sort((a, b) => a.month.localeCompare(b.month));
};

export const unitRatesOf = (x: unknown, trends: Loose = {}): UnitRates => {
  const o = obj(x);
  const unitId = str(pick(o, 'unitId', 'unit_id', 'id')) ?? '';
  return {
    unitId,
    name: str(o.name),
    rank: num(o.rank),
    assessed: num(pick(obj(o.counts), 'assessed') ?? o.assessed),
    ...ratesOf(o),
    trend: trendOf(pick(o, 'trend', 'trends', 'history', 'months') ?? trends[unitId]),
  };
};

/** Units of a rates insight or of GET /assessment/rankings, best first. */
export const rankedUnits = (result: unknown): UnitRates[] => {
  const trends = obj(obj(result).trends);
  const units = listIn(result, 'units', 'items', 'ranking', 'rankings').map((u) => unitRatesOf(u, trends));
  const byRank = (u: UnitRates) => (u.rank && u.rank > 0 ? u.rank : Number.POSITIVE_INFINITY);
  return units.sort(
    (a, b) =>
      byRank(a) - byRank(b) || (b.composite ?? -1) - (a.composite ?? -1) || a.unitId.localeCompare(b.unitId),
  );
};

// ---- heatmap ---------------------------------------------------------------------------------------

export interface HeatCell {
  readonly category: string;
  readonly month: string;
  readonly orders: number;
}

export const heatCells = (result: unknown): HeatCell[] => {
  const o = obj(result);
  // A matrix: { months, categories, values[category][month] }
  const matrix = arr(pick(o, 'values', 'matrix', 'counts'));
  const months = arr(o.months).map(str);
  const categories = arr(o.categories).map((c) => str(c) ?? str(pick(obj(c), 'code', 'categoryCode')));
  if (matrix.length > 0 && Array.isArray(matrix[0]) && months.length > 0) {
    return categories.flatMap((category, i) =>
      arr(matrix[i]).map((v, j) => ({
        category: category ?? '',
        month: months[j] ?? '',
        orders: num(v) ?? 0,
      })),
    );
  }
  return listIn(result, 'cells', 'rows', 'items', 'counts')
    .map((c) => {
      const r = obj(c);
      return {
        category: str(pick(r, 'categoryCode', 'category', 'category_code', 'code')) ?? '',
        month: str(pick(r, 'month', 'received_month', 'receivedMonth')) ?? '',
        orders: num(pick(r, 'orders', 'count', 'value')) ?? 0,
      };
    })
    .filter((c) => c.category !== '' && c.month !== '');
};

// ---- 每月一题 ----------------------------------------------------------------------------------------

export interface TopicComponentEvidence {
  readonly component: string;
  readonly raw: number | null;
  readonly weight: number | null;
  readonly contribution: number | null;
}

export interface TopicCandidate {
  readonly rank: number;
  readonly categoryCode: string;
  readonly level: number | null;
  readonly score: number | null;
  readonly orders: number | null;
  readonly townships: number | null;
  readonly chosenBefore: readonly string[];
  /** The month's figures behind the score (orders, answers, last year's orders …), in the mining's order. */
  readonly figures: readonly (readonly [string, unknown])[];
  /** Each part of the score: its raw figure, weight and contribution (volume, spread, growth …). */
  readonly components: readonly TopicComponentEvidence[];
}

/** Keys of a candidate's figures that say which category it is, not how it stands. */
const identityKeys = new Set(['categoryCode', 'category', 'level', 'parentCode']);

export const topicCandidates = (result: unknown): TopicCandidate[] =>
  listIn(result, 'candidates', 'items', 'topics').map((c, i) => {
    const o = obj(c);
    // { evidence: { figures, components } } (functions/domain/mining/monthly-topics.ts), or flat.
    const evidence = obj(pick(o, 'evidence', 'figures'));
    const figures = obj(evidence.figures ?? evidence);
    const components = Object.entries(
      obj(pick(evidence, 'components') ?? pick(o, 'components', 'scoreParts')),
    )
      .map(([component, v]) => {
        const e = obj(v);
        return typeof v === 'number'
          ? { component, raw: null, weight: null, contribution: v }
          : { component, raw: num(e.raw), weight: num(e.weight), contribution: num(e.contribution) };
      })
      .filter((e) => e.contribution !== null);
    return {
      rank: num(o.rank) ?? i + 1,
      categoryCode: str(pick(o, 'categoryCode', 'category', 'category_code', 'code')) ?? '',
      level: num(o.level),
      score: num(o.score),
      orders: num(pick(o, 'orders') ?? figures.orders),
      townships: num(pick(o, 'townships') ?? figures.townships),
      chosenBefore: arr(o.chosenBefore).map((m) => str(m) ?? ''),
      figures: Object.entries(figures).filter(
        ([k, v]) => !identityKeys.has(k) && k !== 'components' && (typeof v !== 'object' || v === null),
      ),
      components,
    };
  });

// ---- seasonal outlook ------------------------------------------------------------------------------

export interface Interval {
  readonly lower: number | null;
  readonly upper: number | null;
}

export interface ForecastPoint {
  readonly month: string;
  readonly point: number | null;
  readonly i80: Interval;
  readonly i95: Interval;
}

export interface CategoryForecast {
  readonly category: string;
  readonly status: string;
  readonly meanMonthlyOrders: number | null;
  readonly trendPerYear: number | null;
  readonly forecast: readonly ForecastPoint[];
  readonly seasonalNaive: readonly ForecastPoint[];
  readonly history: readonly { readonly month: string; readonly orders: number }[];
  readonly mase: { readonly model: number | null; readonly seasonalNaive: number | null };
  readonly coverage: { readonly i80: number | null; readonly i95: number | null };
}

export interface PrepareItem {
  readonly category: string;
  readonly seasonStart: string;
  readonly leadMonths: number | null;
  readonly expectedOrders: number | null;
  readonly townships: readonly { readonly street: string; readonly expectedOrders: number | null }[];
}

const intervalOf = (intervals: Loose, level: string): Interval => {
  const i = obj(pick(intervals, level, `${Number(level) * 100}`, `${level}0`));
  return { lower: num(i.lower), upper: num(i.upper) };
};

const forecastPoints = (x: unknown): ForecastPoint[] =>
  arr(x).map((f) => {
    const o = obj(f);
    const intervals = obj(o.intervals);
    return {
      month: str(o.month) ?? '',
      point: num(pick(o, 'point', 'mean', 'value')),
      i80: intervalOf(intervals, '0.8'),
      i95: intervalOf(intervals, '0.95'),
    };
  });

export const outlookOf = (
  result: unknown,
): { categories: CategoryForecast[]; prepare: PrepareItem[]; summary: Loose; months: string[] } => {
  const r = obj(result);
  const o = obj(r.outlook ?? r);
  const categories = listIn(o, 'categories').map((c) => {
    const x = obj(c);
    const backtest = obj(x.backtest);
    const coverage = obj(obj(backtest.model).coverage);
    return {
      category: str(pick(x, 'category', 'categoryCode')) ?? '',
      status: str(x.status) ?? 'ok',
      meanMonthlyOrders: num(x.meanMonthlyOrders),
      trendPerYear: num(x.trendPerYear),
      forecast: forecastPoints(x.forecast),
      seasonalNaive: forecastPoints(x.seasonalNaive),
      history: listIn(x, 'history', 'actuals').map((h) => {
        const p = obj(h);
        return { month: str(p.month) ?? '', orders: num(pick(p, 'orders', 'count', 'value')) ?? 0 };
      }),
      mase: { model: num(obj(backtest.model).mase), seasonalNaive: num(obj(backtest.seasonalNaive).mase) },
      coverage: { i80: num(pick(coverage, '0.8', '80')), i95: num(pick(coverage, '0.95', '95')) },
    };
  });
  const prepare = arr(
    pick(r, 'prepare', 'prepareNow', 'prepareList') ?? pick(o, 'prepare', 'prepareNow'),
  ).map((p) => {
    const x = obj(p);
    return {
      category: str(pick(x, 'category', 'categoryCode')) ?? '',
      seasonStart: str(x.seasonStart) ?? '',
      leadMonths: num(x.leadMonths),
      expectedOrders: num(x.expectedOrders),
      townships: arr(x.townships).map((t) => {
        const y = obj(t);
        return { street: str(pick(y, 'street', 'streetCode')) ?? '', expectedOrders: num(y.expectedOrders) };
      }),
    };
  });
  return { categories, prepare, summary: obj(o.summary), months: arr(o.months).map((m) => str(m) ?? '') };
};

// ---- alerts ----------------------------------------------------------------------------------------

export interface AlertRow {
  readonly id: string;
  readonly day: string;
  readonly categoryCode: string;
  readonly areaLevel: string;
  readonly areaCode: string;
  readonly method: string;
  readonly observed: number | null;
  readonly expected: number | null;
  readonly statistic: number | null;
  readonly threshold: number | null;
}

export const alertRows = (body: unknown): AlertRow[] =>
  listIn(body, 'items', 'alerts').map((a) => {
    const o = obj(a);
    return {
      id: str(o.id) ?? '',
      day: str(o.day) ?? '',
      categoryCode: str(pick(o, 'categoryCode', 'category')) ?? '',
      areaLevel: str(o.areaLevel) ?? '',
      areaCode: str(o.areaCode) ?? '',
      method: str(o.method) ?? '',
      observed: num(o.observed),
      expected: num(o.expected),
      statistic: num(o.statistic),
      threshold: num(o.threshold),
    };
  });

// ---- hot spots -------------------------------------------------------------------------------------

export interface HotspotRow {
  readonly category: string;
  readonly cell: string;
  readonly lat: number;
  readonly lng: number;
  readonly orders: number | null;
  readonly neighbourhoodOrders: number | null;
  readonly z: number | null;
  readonly p: number | null;
}

export interface RepeatRow {
  readonly address: string;
  readonly category: string;
  readonly orders: number | null;
  readonly requesters: number | null;
  readonly spanDays: number | null;
  readonly open: number | null;
  readonly unsolved: number | null;
  readonly street: string | undefined;
}

export const hotspotsOf = (result: unknown): { hotspots: HotspotRow[]; repeats: RepeatRow[] } => {
  const r = obj(result);
  const spots = Array.isArray(r.hotspots)
    ? r.hotspots
    : listIn(r.hotspots ?? r, 'hotspots', 'cells', 'items');
  const hotspots = spots
    .map((s) => {
      const o = obj(s);
      return {
        category: str(pick(o, 'category', 'categoryCode')) ?? '',
        cell: str(pick(o, 'cell', 'h3')) ?? '',
        lat: num(o.lat) ?? Number.NaN,
        lng: num(pick(o, 'lng', 'lon')) ?? Number.NaN,
        orders: num(o.orders),
        neighbourhoodOrders: num(o.neighbourhoodOrders),
        z: num(o.z),
        p: num(o.p),
      };
    })
    .filter((s) => Number.isFinite(s.lat) && Number.isFinite(s.lng));
  const repeats = arr(pick(r, 'repeats', 'addressRepeats', 'places', 'repeatedPlaces')).map((x) => {
    const o = obj(x);
    return {
      address: str(o.address) ?? '',
      category: str(pick(o, 'category', 'categoryCode')) ?? '',
      orders: num(o.orders),
      requesters: num(o.requesters),
      spanDays: num(o.spanDays),
      open: num(o.open),
      unsolved: num(o.unsolved),
      street: str(o.street),
    };
  });
  return { hotspots, repeats };
};

// ---- 治理类街乡镇 --------------------------------------------------------------------------------------

export interface GovernanceCheck {
  readonly criterion: string;
  readonly figure: number | null;
  readonly limit: { readonly atLeast?: number; readonly atMost?: number };
  readonly met: boolean | null;
  readonly text: string;
}

export interface TownshipRow {
  readonly rank: number | null;
  readonly streetCode: string;
  readonly proposed: boolean;
  readonly orders: number | null;
  readonly population: number | null;
  readonly composite: number | null;
  readonly criteriaMet: number | null;
  readonly criteriaNeeded: number | null;
  readonly reasons: readonly GovernanceCheck[];
  /** A figure by criterion (ordersPer10k, overdueShare, trend, composite, assessed). */
  figure(criterion: string): number | null;
}

export const townshipsOf = (result: unknown): { townships: TownshipRow[]; proposals: TownshipRow[] } => {
  const row = (x: unknown): TownshipRow => {
    const o = obj(x);
    const reasons = arr(o.reasons).map((c) => {
      const r = obj(c);
      const limit = obj(r.limit);
      return {
        criterion: str(r.criterion) ?? '',
        figure: num(r.figure),
        limit: {
          ...(num(limit.atLeast) !== null ? { atLeast: num(limit.atLeast) as number } : {}),
          ...(num(limit.atMost) !== null ? { atMost: num(limit.atMost) as number } : {}),
        },
        met: typeof r.met === 'boolean' ? r.met : null,
        text: str(r.text) ?? '',
      };
    });
    const streetCode =
      str(pick(o, 'streetCode', 'street_code', 'areaCode')) ?? (str(o.unitId) ?? '').replace(/^st-/, '');
    return {
      rank: num(o.rank),
      streetCode,
      proposed: o.proposed === true,
      orders: num(o.orders),
      population: num(o.population),
      composite: num(o.composite) ?? ratesOf(o).composite,
      criteriaMet: num(o.criteriaMet),
      criteriaNeeded: num(o.criteriaNeeded),
      reasons,
      figure: (criterion) => reasons.find((r) => r.criterion === criterion)?.figure ?? null,
    };
  };
  const townships = listIn(result, 'townships', 'items').map(row);
  const proposals = arr(obj(result).proposals).map(row);
  return { townships, proposals: proposals.length > 0 ? proposals : townships.filter((t) => t.proposed) };
};

import { addDaysToDate } from '../../functions/domain/china-time.ts';
import type { DayPlan, RunPlan } from './calendar.ts';
import type { City } from './city.ts';
import type { GeneratorConfig } from './config.ts';

/**
 * Planted facts (`--plant`): extra orders on top of the base model, each with a known place, time
 * and size, so that the mining tests can check that they find them. They are added, never taken
 * from the base volume, so the unplanted model stays the same and the manifest can say exactly how
 * many orders each fact added (per day).
 *
 * 1. rising: a category grows by a fixed share a month, compounding, over the last months;
 * 2. spike: a category in one district at k× its daily baseline for a few days of the last month;
 * 3. hotspot: extra orders of one category at one fixed point within a few weeks of the last month;
 * 4. seasonal: a category with yearly peaks around fixed dates (618, 双11).
 */
export type PlantedKind = 'rising' | 'spike' | 'hotspot' | 'seasonal';

/** Extra orders of one day: their category law (leaf → share) and where they are. */
export interface ExtraGroup {
  readonly fact: number;
  readonly count: number;
  readonly leaves: Int32Array;
  readonly leafShares: Float64Array;
  /** District index, or −1 for the city's own law. */
  readonly district: number;
  /** Place index, or −1 (then the township's law picks one). */
  readonly place: number;
}

export interface PlantedFact {
  readonly kind: PlantedKind;
  readonly description: string;
  readonly categoryCode: string;
  readonly districtCode: string | null;
  readonly streetCode: string | null;
  readonly place: {
    readonly lat: number;
    readonly lng: number;
    readonly h3_r9: string;
    readonly h3_r7: string;
    readonly address_hash: string;
  } | null;
  readonly from: string;
  readonly to: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  /** Expected orders of the category (and place or district) without the fact, per day with extras. */
  readonly baselinePerDay: Readonly<Record<string, number>>;
  /** Orders the fact added, per day. */
  readonly extraPerDay: Readonly<Record<string, number>>;
  readonly extraTotal: number;
}

export interface PlantedPlan {
  readonly facts: readonly PlantedFact[];
  /** Extra groups per day index. */
  readonly byDay: ReadonlyMap<number, readonly ExtraGroup[]>;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Leaves under `code` with their share of that code's volume on the day. */
const lawUnder = (
  city: City,
  day: DayPlan,
  code: string,
): { leaves: Int32Array; shares: Float64Array; mass: number } => {
  const leaves: number[] = [];
  const shares: number[] = [];
  let mass = 0;
  city.leafCodes.forEach((leaf, i) => {
    if (!leaf.startsWith(code)) return;
    leaves.push(i);
    shares.push(day.leafLaw[i] as number);
    mass += day.leafLaw[i] as number;
  });
  return { leaves: new Int32Array(leaves), shares: new Float64Array(shares.map((s) => s / mass)), mass };
};

/** Whole extra orders from expected fractional ones, carrying the remainder day to day (exact total). */
const carryRound = (expected: readonly number[]): number[] => {
  let carried = 0;
  return expected.map((x) => {
    const total = carried + x;
    const whole = Math.floor(total + 1e-9);
    carried = total - whole;
    return whole;
  });
};

export const plantFacts = (config: GeneratorConfig, city: City, plan: RunPlan): PlantedPlan => {
  const facts: PlantedFact[] = [];
  const byDay = new Map<number, ExtraGroup[]>();
  const add = (dayIndex: number, group: ExtraGroup) => {
    if (group.count <= 0) return;
    byDay.set(dayIndex, [...(byDay.get(dayIndex) ?? []), group]);
  };
  const lastMonth = plan.months[plan.months.length - 1];
  if (!lastMonth) return { facts, byDay };
  const record = (
    fact: Omit<PlantedFact, 'baselinePerDay' | 'extraPerDay' | 'extraTotal'>,
    days: readonly DayPlan[],
    baseline: readonly number[],
    extra: readonly number[],
  ) => {
    const baselinePerDay: Record<string, number> = {};
    const extraPerDay: Record<string, number> = {};
    days.forEach((d, i) => {
      if ((extra[i] as number) <= 0) return;
      baselinePerDay[d.date] = round3(baseline[i] as number);
      extraPerDay[d.date] = extra[i] as number;
    });
    facts.push({ ...fact, baselinePerDay, extraPerDay, extraTotal: extra.reduce((a, b) => a + b, 0) });
  };

  // 1. rising category
  {
    const spec = config.planted.rising;
    const months = plan.months.slice(-spec.months);
    const days = months.flatMap((m) => m.days);
    const monthIndex = new Map(months.map((m, k) => [m.key, k + 1 + (spec.months - months.length)]));
    const baseline = days.map((d) => d.count * lawUnder(city, d, spec.code).mass);
    const extra = carryRound(
      days.map(
        (d, i) =>
          (baseline[i] as number) * ((1 + spec.monthlyGrowth) ** (monthIndex.get(d.month) as number) - 1),
      ),
    );
    const fact = facts.length;
    days.forEach((d, i) => {
      const law = lawUnder(city, d, spec.code);
      add(d.index, {
        fact,
        count: extra[i] as number,
        leaves: law.leaves,
        leafShares: law.shares,
        district: -1,
        place: -1,
      });
    });
    record(
      {
        kind: 'rising',
        description: `${spec.code} grows ${spec.monthlyGrowth * 100} % a month, compounding, over the last ${months.length} months`,
        categoryCode: spec.code,
        districtCode: null,
        streetCode: null,
        place: null,
        from: (days[0] as DayPlan).date,
        to: (days[days.length - 1] as DayPlan).date,
        parameters: { ...spec, months: months.map((m) => m.key) },
      },
      days,
      baseline,
      extra,
    );
  }

  // 2. spike in one district
  {
    const spec = config.planted.spike;
    const district = city.districtCodes.indexOf(spec.districtCode);
    if (district < 0) throw new Error(`data/generator.json: no district ${spec.districtCode} for the spike.`);
    const days = lastMonth.days.slice(spec.startDay - 1, spec.startDay - 1 + spec.days);
    const baseline = days.map(
      (d) => d.count * lawUnder(city, d, spec.code).mass * (city.districtShare[district] as number),
    );
    const extra = baseline.map((b) => Math.max(spec.minExtraPerDay, Math.round((spec.factor - 1) * b)));
    const entries = Object.entries(spec.leafShares);
    const leaves = new Int32Array(entries.map(([code]) => city.leafCodes.indexOf(code)));
    if (leaves.some((l) => l < 0))
      throw new Error('data/generator.json: a planted spike leaf is not a category leaf.');
    const shares = new Float64Array(entries.map(([, s]) => s));
    const fact = facts.length;
    days.forEach((d, i) => {
      add(d.index, { fact, count: extra[i] as number, leaves, leafShares: shares, district, place: -1 });
    });
    record(
      {
        kind: 'spike',
        description: `${spec.code} in ${city.districtNames[district]} at ${spec.factor}× its daily baseline for ${days.length} days`,
        categoryCode: spec.code,
        districtCode: spec.districtCode,
        streetCode: null,
        place: null,
        from: (days[0] as DayPlan).date,
        to: (days[days.length - 1] as DayPlan).date,
        parameters: { ...spec },
      },
      days,
      baseline,
      extra,
    );
  }

  // 3. hotspot at one place
  {
    const spec = config.planted.hotspot;
    const leaf = city.leafCodes.indexOf(spec.code);
    if (leaf < 0) throw new Error(`data/generator.json: the hotspot's ${spec.code} is not a category leaf.`);
    const place = city.hotspotPlace;
    const street = city.placeStreet[place] as number;
    const days = lastMonth.days.slice(spec.startDay - 1, spec.startDay - 1 + spec.days);
    const extra = days.map((d) =>
      Math.min(spec.maxPerDay, Math.max(spec.minPerDay, Math.round(spec.shareOfCityDaily * d.count))),
    );
    const fact = facts.length;
    days.forEach((d, i) => {
      add(d.index, {
        fact,
        count: extra[i] as number,
        leaves: new Int32Array([leaf]),
        leafShares: new Float64Array([1]),
        district: city.streetDistrict[street] as number,
        place,
      });
    });
    record(
      {
        kind: 'hotspot',
        description: `${spec.code} at one place in ${city.districtNames[city.streetDistrict[street] as number]} for ${days.length} days`,
        categoryCode: spec.code,
        districtCode: spec.districtCode,
        streetCode: (city.streets[street] as { code: string }).code,
        place: {
          lat: spec.lat,
          lng: spec.lng,
          h3_r9: city.r9Cells[city.placeR9[place] as number] as string,
          h3_r7: city.r7Cells[city.placeR7[place] as number] as string,
          address_hash: city.placeAddressHash[place] as string,
        },
        from: (days[0] as DayPlan).date,
        to: (days[days.length - 1] as DayPlan).date,
        parameters: { ...spec },
      },
      days,
      days.map(() => 0),
      extra,
    );
  }

  // 4. seasonal pattern: yearly peaks around fixed dates
  {
    const spec = config.planted.seasonal;
    const multiplier = (date: string): number => {
      let m = 1;
      const year = Number(date.slice(0, 4));
      for (const peak of spec.peaks) {
        const centre = Date.parse(`${year}-${peak.date}T00:00:00Z`);
        const distance = Math.abs(Date.parse(`${date}T00:00:00Z`) - centre) / 86_400_000;
        m += (peak.peak - 1) * Math.max(0, 1 - distance / peak.halfWidthDays);
      }
      return m;
    };
    const days = plan.days.filter((d) => multiplier(d.date) > 1);
    const baseline = days.map((d) => d.count * lawUnder(city, d, spec.code).mass);
    const extra = carryRound(days.map((d, i) => (baseline[i] as number) * (multiplier(d.date) - 1)));
    const fact = facts.length;
    days.forEach((d, i) => {
      const law = lawUnder(city, d, spec.code);
      add(d.index, {
        fact,
        count: extra[i] as number,
        leaves: law.leaves,
        leafShares: law.shares,
        district: -1,
        place: -1,
      });
    });
    const first = days[0];
    const last = days[days.length - 1];
    record(
      {
        kind: 'seasonal',
        description: `${spec.code} peaks every year around ${spec.peaks.map((p) => `${p.date} (${p.name})`).join(' and ')}`,
        categoryCode: spec.code,
        districtCode: null,
        streetCode: null,
        place: null,
        from: first ? first.date : (plan.days[0] as DayPlan).date,
        to: last ? last.date : addDaysToDate((plan.days[0] as DayPlan).date, 0),
        parameters: { ...spec },
      },
      days,
      baseline,
      extra,
    );
  }
  return { facts, byDay };
};

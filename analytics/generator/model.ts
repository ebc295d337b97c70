import {
  allocateBatch,
  clearHandling,
  DISPOSITION,
  FLAG,
  type MonthBatch,
  OUTCOME,
  SATISFIED,
  SOLVED,
  STATUS,
} from './batch.ts';
import type { DayPlan, MonthPlan } from './calendar.ts';
import type { GeneratorContext } from './context.ts';
import { Lifecycle, ratesForMonth, unitRatesFor } from './lifecycle.ts';
import type { ExtraGroup } from './planted.ts';
import { AliasTable, Rng } from './prng.ts';

/**
 * One month of orders: intake (when, what, where, who, how) from the month's own random stream, then
 * each order's life (lifecycle.ts). Rows come out in order of receipt. The stream is named after the
 * seed and the month only, so months can be made in any order, by any worker.
 */
const HOUR = 3_600_000;
const TWO_40 = 2 ** 40;
const TWO_41 = 2 ** 41;

const APPEAL_CONSULTATION = 1; // codeLists.appeal_type
const URGENCY_EMERGENCY = 1; // codeLists.urgency: '', emergency, urgent, normal
const KIND_PERSON = 1;
const KIND_ENTERPRISE = 2;

export interface MonthStats {
  readonly month: string;
  readonly rows: number;
  readonly plantedRows: readonly number[];
  readonly appeal: readonly number[];
  readonly channel: readonly number[];
  readonly leaf: readonly number[];
  readonly disposed: number;
  readonly dispatched: number;
  readonly closed: number;
  readonly assessed: number;
  readonly answered: number;
  /** Σ solved + p × partly, over answered. */
  readonly solvedCredit: number;
  readonly satisfiedCredit: number;
}

export const generateMonth = (
  ctx: GeneratorContext,
  month: MonthPlan,
): { batch: MonthBatch; stats: MonthStats } => {
  const { config, city, planted } = ctx;
  const rng = new Rng(`${ctx.options.seed}|month|${month.key}`);
  const total = month.days.reduce(
    (a, d) => a + d.count + (planted.byDay.get(d.index) ?? []).reduce((s, g) => s + g.count, 0),
    0,
  );
  const b = allocateBatch(total);
  const rates = ratesForMonth(config, month.key);
  const life = new Lifecycle(
    ctx.lifecycle,
    unitRatesFor(config, city, rates, ctx.assessmentFactors, ctx.lifecycle.callback.attempts),
  );
  const hourAlias = new AliasTable(config.intraday.hourWeights);
  const req = config.requesters;
  const frequentShare = req.frequentCallers.shareOfOrders;
  const other = Object.entries(config.dispositions.other).map(
    ([k, p]) => [DISPOSITION[k as keyof typeof DISPOSITION], p ?? 0] as const,
  );
  const noAddress = config.places.withoutAddress;
  const groupAliases = new Map<ExtraGroup, AliasTable>();
  let i = 0;
  for (const day of month.days) {
    const groups = planted.byDay.get(day.index) ?? [];
    const n = day.count + groups.reduce((s, g) => s + g.count, 0);
    // Times first, sorted, so rows come out in order of receipt; the low bits say which law (base or
    // a planted group) the order follows.
    const keys = new Float64Array(n);
    let k = 0;
    const tag = (g: number, count: number) => {
      for (let c = 0; c < count; c++, k++) {
        const ms = hourAlias.draw(rng) * HOUR + Math.floor(rng.next() * HOUR);
        keys[k] = ms * 8 + g;
      }
    };
    tag(0, day.count);
    groups.forEach((g, gi) => {
      tag(gi + 1, g.count);
    });
    keys.sort();
    const dayAlias = new AliasTable(day.leafLaw);
    for (let j = 0; j < n; j++, i++) {
      const key = keys[j] as number;
      const g = key % 8;
      const group = g === 0 ? undefined : (groups[g - 1] as ExtraGroup);
      intake(ctx, b, i, day, (key - g) / 8, group, {
        rng,
        dayAlias,
        groupAliases,
        frequentShare,
        other,
        noAddress,
        life,
      });
    }
  }
  // statistics for the summary
  const leafCounts = new Float64Array(city.leafCodes.length);
  const appeal = new Float64Array(7);
  const channel = new Float64Array(9);
  const plantedRows = new Float64Array(planted.facts.length);
  let disposed = 0;
  let dispatched = 0;
  let closed = 0;
  let assessed = 0;
  let answered = 0;
  let solvedCredit = 0;
  let satisfiedCredit = 0;
  for (let r = 0; r < total; r++) {
    const leaf = b.leaf[r] as number;
    leafCounts[leaf] = (leafCounts[leaf] as number) + 1;
    const a = b.appeal[r] as number;
    appeal[a] = (appeal[a] as number) + 1;
    const c = b.channel[r] as number;
    channel[c] = (channel[c] as number) + 1;
    const fact = b.fact[r] as number;
    if (fact >= 0) plantedRows[fact] = (plantedRows[fact] as number) + 1;
    if (b.outcome[r] === OUTCOME.disposed) disposed++;
    if ((b.dispatched[r] as number) >= 0) dispatched++;
    if (b.status[r] === STATUS.closed) closed++;
    const flags = b.flags[r] as number;
    if (flags & FLAG.assessed && !(flags & FLAG.excluded)) {
      assessed++;
      const s = b.answerSolved[r] as number;
      if (s !== 0) {
        answered++;
        solvedCredit += s === SOLVED.solved ? 1 : s === SOLVED.partly ? ctx.assessmentFactors.partly : 0;
        const t = b.answerSatisfied[r] as number;
        satisfiedCredit +=
          t === SATISFIED.satisfied ? 1 : t === SATISFIED.basically ? ctx.assessmentFactors.basically : 0;
      }
    }
  }
  return {
    batch: b,
    stats: {
      month: month.key,
      rows: total,
      plantedRows: Array.from(plantedRows),
      appeal: Array.from(appeal),
      channel: Array.from(channel),
      leaf: Array.from(leafCounts),
      disposed,
      dispatched,
      closed,
      assessed,
      answered,
      solvedCredit,
      satisfiedCredit,
    },
  };
};

interface IntakeTools {
  readonly rng: Rng;
  readonly dayAlias: AliasTable;
  readonly groupAliases: Map<ExtraGroup, AliasTable>;
  readonly frequentShare: number;
  readonly other: readonly (readonly [number, number])[];
  readonly noAddress: { readonly consultation: number; readonly other: number };
  readonly life: Lifecycle;
}

/** Intake of row `i`: the contact as the operator records it, then its life. */
const intake = (
  ctx: GeneratorContext,
  b: MonthBatch,
  i: number,
  day: DayPlan,
  msInDay: number,
  group: ExtraGroup | undefined,
  t: IntakeTools,
): void => {
  const { config, city } = ctx;
  const { rng } = t;
  const req = config.requesters;
  const received = day.startMs + msInDay;
  b.received[i] = received;
  b.idA[i] = rng.u32();
  b.idB[i] = rng.u32();
  b.idC[i] = rng.u32() & 0xffff;
  b.dayOfMonth[i] = day.dayOfMonth;
  b.hour[i] = Math.floor(msInDay / HOUR);
  b.weekday[i] = day.weekday;
  b.fact[i] = group ? group.fact : -1;
  b.repeatOf[i] = -1;
  b.disposition[i] = 0;
  // what and where
  let leaf: number;
  let street: number;
  let place = -1;
  let original = -1;
  if (group) {
    let alias = t.groupAliases.get(group);
    if (!alias) {
      alias = new AliasTable(group.leafShares);
      t.groupAliases.set(group, alias);
    }
    leaf = group.leaves[alias.draw(rng)] as number;
    if (group.place >= 0) {
      place = group.place;
      street = city.placeStreet[place] as number;
    } else if (group.district >= 0) {
      const members = city.districtStreets[group.district] as Int32Array;
      street = members[(city.districtStreetAlias[group.district] as AliasTable).draw(rng)] as number;
    } else street = city.streetAlias.draw(rng);
  } else {
    leaf = t.dayAlias.draw(rng);
    street = city.streetAlias.draw(rng);
    // A follow-up: the same requester about the same matter at the same place, a little later.
    if (i > 0 && rng.chance(req.followUps.share)) {
      const j = i - 1 - rng.int(Math.min(i, req.followUps.lookbackOrders));
      if ((b.requester[j] as number) >= 0 && b.fact[j] === -1) original = j;
    }
  }
  if (original >= 0) {
    leaf = b.leaf[original] as number;
    street = b.street[original] as number;
    place = b.place[original] as number;
  }
  b.leaf[i] = leaf;
  b.street[i] = street;
  // how, and who
  const appeal = 1 + (city.leafAppeal[leaf] as AliasTable).draw(rng);
  b.appeal[i] = appeal;
  b.channel[i] = 1 + city.channelAlias.draw(rng);
  const urgency = 1 + (city.leafUrgency[leaf] as AliasTable).draw(rng);
  b.urgency[i] = urgency;
  const population = (city.streets[street] as { population: number }).population;
  let frequentHome = -1;
  if (original >= 0) {
    b.kind[i] = b.kind[original] as number;
    b.anonymous[i] = 0;
    b.requester[i] = b.requester[original] as number;
  } else if (rng.chance(req.anonymousShare)) {
    b.kind[i] = rng.chance(city.leafEnterpriseShare[leaf] as number) ? KIND_ENTERPRISE : KIND_PERSON;
    b.anonymous[i] = 1;
    b.requester[i] = -1;
  } else if (rng.chance(city.leafEnterpriseShare[leaf] as number)) {
    b.kind[i] = KIND_ENTERPRISE;
    b.anonymous[i] = 0;
    b.requester[i] =
      TWO_41 + street * 2 ** 24 + rng.int(Math.max(1, Math.round(population * req.enterprisesPerResident)));
  } else if (rng.chance(t.frequentShare)) {
    const k = (city.streetFrequentAlias[street] as AliasTable).draw(rng);
    b.kind[i] = KIND_PERSON;
    b.anonymous[i] = 0;
    b.requester[i] = TWO_40 + street * 65536 + k;
    frequentHome = (city.streetFrequentHome[street] as Int32Array)[k] as number;
  } else {
    b.kind[i] = KIND_PERSON;
    b.anonymous[i] = 0;
    b.requester[i] = street * 2 ** 24 + rng.int(Math.round(population * req.generalPoolPerResident));
  }
  b.declines[i] = rng.chance(req.declinesCallbackShare) ? 1 : 0;
  if (original < 0 && place < 0) {
    if (rng.chance(appeal === APPEAL_CONSULTATION ? t.noAddress.consultation : t.noAddress.other)) place = -1;
    else if (frequentHome >= 0 && rng.chance(req.frequentCallers.homePlaceShare)) place = frequentHome;
    else
      place =
        (city.streetPlaceOffset[street] as number) + (city.streetPlaceAlias[street] as AliasTable).draw(rng);
  }
  b.place[i] = place;
  // Art. 11 dispositions: closed at intake, never dispatched
  let disposition = 0;
  const u = rng.next();
  if (original >= 0 && u < req.followUps.repeatDispositionShare) {
    disposition = DISPOSITION.repeat;
    b.repeatOf[i] = original;
  } else if (urgency === URGENCY_EMERGENCY && u < config.dispositions.emergencyTransferShare) {
    disposition = DISPOSITION.emergency_transfer;
  } else if (appeal === APPEAL_CONSULTATION && u < config.dispositions.consultationAnsweredOnSpot) {
    disposition = DISPOSITION.answered;
  } else {
    let acc = 0;
    const v = rng.next();
    for (const [kind, p] of t.other) {
      acc += p;
      if (v < acc) {
        disposition = kind;
        break;
      }
    }
  }
  if (disposition !== 0) {
    b.disposition[i] = disposition;
    dispose(ctx, b, i, received, rng);
    return;
  }
  const route = city.route(leaf, street);
  if (route.unit < 0) {
    awaitingDispatcher(b, i, received);
    return;
  }
  t.life.run(
    b,
    {
      i,
      leaf,
      urgency,
      unit: route.unit,
      viaDispatcher: route.viaDispatcher,
      mayCallBack: b.anonymous[i] === 0 && b.declines[i] === 0,
      followUp: original >= 0,
    },
    rng,
  );
};

/** Closed at intake with a disposition (answered on the spot, transferred, a repeat…): no unit. */
const dispose = (ctx: GeneratorContext, b: MonthBatch, i: number, received: number, rng: Rng): void => {
  const spot = ctx.config.timing.onSpotMinutes;
  const closed = received + rng.logNormal(spot.median, spot.sigma) * 60_000;
  const known = closed <= ctx.lifecycle.snapshotMs;
  clearHandling(b, i);
  b.status[i] = known ? STATUS.closed : STATUS.received;
  b.closed[i] = known ? closed : -1;
  b.outcome[i] = known ? OUTCOME.disposed : 0;
  b.updated[i] = known ? closed : received;
  b.version[i] = known ? 2 : 1;
};

const awaitingDispatcher = (b: MonthBatch, i: number, received: number): void => {
  clearHandling(b, i);
  b.status[i] = STATUS.awaiting_dispatch;
  b.updated[i] = received;
  b.version[i] = 2;
};

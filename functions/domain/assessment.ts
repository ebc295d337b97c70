import * as z from 'zod';
import { chinaMonthOf } from './china-time.ts';
import type { UnitClass } from './reference-data.ts';

/**
 * Assessment (考核, Art. 32): each unit's three rates per CST month — 响应率 response, 解决率 resolution,
 * 满意率 satisfaction — and their weighted composite, from facts about its orders.
 *
 *   response     = orders contacted within the limit / assessed orders
 *   resolution   = (solved + p × partly solved) / orders with a valid call-back answer
 *   satisfaction = (satisfied + k × basically satisfied) / orders with a valid call-back answer
 *   composite    = w.response × response + w.resolution × resolution + w.satisfaction × satisfaction
 *
 * The factors p, k and the weights are configuration per unit class. An excluded order (unreasonable
 * demand, duplicate, malicious, requester unreachable) counts in none of the rates.
 *
 * Aggregation is incremental and exactly-once: an order's facts are a merge of its assessment events
 * that is commutative and idempotent (each field keeps the value of the event with the highest
 * sequence number), and a unit-month's counters change by the difference of the order's contribution
 * before and after. The same event delivered twice, or events delivered out of order, give the same
 * counters as a recomputation from the whole log.
 */
export const assessmentRulesSchema = z.record(
  z.enum(['district', 'street', 'department', 'enterprise']),
  z.strictObject({
    partlySolvedFactor: z.number().min(0).max(1),
    basicallySatisfiedFactor: z.number().min(0).max(1),
    weights: z
      .strictObject({
        response: z.number().min(0),
        resolution: z.number().min(0),
        satisfaction: z.number().min(0),
      })
      .refine(
        // Stryker disable next-line EqualityOperator: equivalent, no sum of weights lands exactly 1e-9 off
        (w) => Math.abs(w.response + w.resolution + w.satisfaction - 1) < 1e-9,
        'the weights add up to 1',
      ),
  }),
);
export type AssessmentRules = z.infer<typeof assessmentRulesSchema>;

export const exclusionReasons = ['unreasonable_demand', 'unreachable', 'duplicate', 'malicious'] as const;
export type ExclusionReason = (typeof exclusionReasons)[number];

/** One fact about one order, as the events consumer derives it from the order's events. */
export type AssessmentEvent = {
  /** Unique per event (the order id and the event's sequence number): duplicates are recognised by it. */
  readonly eventId: string;
  readonly orderId: string;
  /** The order's event sequence number: the later fact wins, whatever the order of delivery. */
  readonly seq: number;
} & (
  | {
      readonly kind: 'assessed';
      readonly unitId: string;
      readonly unitClass: UnitClass;
      readonly month: string;
    }
  /**
   * Whether the requester was contacted within the limit: the unit's record at closing, or the
   * requester's own word in the first call-back, which replaces the unit's whenever it came.
   */
  | { readonly kind: 'contact'; readonly withinLimit: boolean; readonly source: ContactSource }
  | {
      readonly kind: 'callback';
      readonly solved: 'solved' | 'partly' | 'not';
      readonly satisfied: 'satisfied' | 'basically' | 'not';
    }
  /** No answer after every attempt: out of the rates that need an answer (resolution, satisfaction). */
  | { readonly kind: 'unreachable' }
  | { readonly kind: 'excluded'; readonly reason: ExclusionReason }
  | { readonly kind: 'exclusion_revoked' }
);

export type ContactSource = 'unit' | 'requester';
const contactRank: Record<ContactSource, number> = { unit: 0, requester: 1 };

/** What is known of one order, each field with the sequence number of the event that set it. */
export interface OrderFacts {
  readonly unit?: {
    readonly unitId: string;
    readonly unitClass: UnitClass;
    readonly month: string;
    readonly seq: number;
  };
  /** `source` absent on facts stored before it existed: the unit's record. */
  readonly contact?: { readonly withinLimit: boolean; readonly seq: number; readonly source?: ContactSource };
  /** The latest call-back's outcome: an answer, or unreachable. */
  readonly callback?:
    | {
        readonly solved: 'solved' | 'partly' | 'not';
        readonly satisfied: 'satisfied' | 'basically' | 'not';
        readonly seq: number;
      }
    | { readonly unreachable: true; readonly seq: number };
  readonly exclusion?: { readonly reason: ExclusionReason | null; readonly seq: number };
}

/** Merges one event into an order's facts: commutative and idempotent (the highest seq wins per field). */
export const mergeFact = (facts: OrderFacts, event: AssessmentEvent): OrderFacts => {
  const newer = (current: { seq: number } | undefined) => current === undefined || event.seq > current.seq;
  switch (event.kind) {
    case 'assessed':
      return newer(facts.unit)
        ? {
            ...facts,
            unit: { unitId: event.unitId, unitClass: event.unitClass, month: event.month, seq: event.seq },
          }
        : facts;
    case 'contact': {
      // The requester's word outranks the unit's record; within one source the later fact wins.
      const current = facts.contact;
      const rank = contactRank[event.source];
      const currentRank = current ? contactRank[current.source ?? 'unit'] : -1;
      return rank > currentRank || (rank === currentRank && newer(current))
        ? { ...facts, contact: { withinLimit: event.withinLimit, seq: event.seq, source: event.source } }
        : facts;
    }
    case 'callback':
      return newer(facts.callback)
        ? { ...facts, callback: { solved: event.solved, satisfied: event.satisfied, seq: event.seq } }
        : facts;
    case 'unreachable':
      return newer(facts.callback) ? { ...facts, callback: { unreachable: true, seq: event.seq } } : facts;
    case 'excluded':
      return newer(facts.exclusion)
        ? { ...facts, exclusion: { reason: event.reason, seq: event.seq } }
        : facts;
    case 'exclusion_revoked':
      return newer(facts.exclusion) ? { ...facts, exclusion: { reason: null, seq: event.seq } } : facts;
  }
};

/** The counters behind a unit's rates in a month. */
export interface RateCounts {
  readonly assessed: number;
  readonly respondedInTime: number;
  readonly answered: number;
  readonly solved: number;
  readonly partlySolved: number;
  readonly satisfied: number;
  readonly basicallySatisfied: number;
  /** Called back without an answer: counted for response only. */
  readonly unreachable: number;
  readonly excluded: number;
}

export const zeroCounts: RateCounts = {
  assessed: 0,
  respondedInTime: 0,
  answered: 0,
  solved: 0,
  partlySolved: 0,
  satisfied: 0,
  basicallySatisfied: 0,
  unreachable: 0,
  excluded: 0,
};

/** Which unit-month an order counts for, and how: nothing until its unit and month are known. */
export const contributionOf = (facts: OrderFacts): { key: string; counts: RateCounts } | undefined => {
  if (!facts.unit) return undefined;
  const key = unitMonthKey(facts.unit.unitId, facts.unit.month);
  if (facts.exclusion?.reason) return { key, counts: { ...zeroCounts, excluded: 1 } };
  const answer = facts.callback && 'solved' in facts.callback ? facts.callback : undefined;
  return {
    key,
    counts: {
      ...zeroCounts,
      assessed: 1,
      respondedInTime: facts.contact?.withinLimit ? 1 : 0,
      answered: answer ? 1 : 0,
      solved: answer?.solved === 'solved' ? 1 : 0,
      partlySolved: answer?.solved === 'partly' ? 1 : 0,
      satisfied: answer?.satisfied === 'satisfied' ? 1 : 0,
      basicallySatisfied: answer?.satisfied === 'basically' ? 1 : 0,
      unreachable: facts.callback && 'unreachable' in facts.callback ? 1 : 0,
    },
  };
};

export const unitMonthKey = (unitId: string, month: string): string => `${unitId}|${month}`;

/** a + b, or a − b with sign −1, counter by counter. */
export const addCounts = (a: RateCounts, b: RateCounts, sign: 1 | -1): RateCounts =>
  Object.fromEntries(
    Object.keys(zeroCounts).map((k) => [k, a[k as keyof RateCounts] + sign * b[k as keyof RateCounts]]),
  ) as unknown as RateCounts;

/** The incremental aggregate: every order's facts, the events already seen, and unit-month counters. */
export interface Aggregate {
  readonly seen: ReadonlySet<string>;
  readonly orders: ReadonlyMap<string, OrderFacts>;
  readonly counters: ReadonlyMap<string, RateCounts>;
}

export const emptyAggregate = (): Aggregate => ({ seen: new Set(), orders: new Map(), counters: new Map() });

/** Applies one delivered event: a duplicate changes nothing; otherwise the order's contribution moves. */
export const applyEvent = (aggregate: Aggregate, event: AssessmentEvent): Aggregate => {
  if (aggregate.seen.has(event.eventId)) return aggregate;
  const before = aggregate.orders.get(event.orderId) ?? {};
  const after = mergeFact(before, event);
  const counters = new Map(aggregate.counters);
  const old = contributionOf(before);
  const now = contributionOf(after);
  if (old) counters.set(old.key, addCounts(counters.get(old.key) ?? zeroCounts, old.counts, -1));
  if (now) counters.set(now.key, addCounts(counters.get(now.key) ?? zeroCounts, now.counts, 1));
  return {
    seen: new Set([...aggregate.seen, event.eventId]),
    orders: new Map([...aggregate.orders, [event.orderId, after]]),
    counters,
  };
};

/** From scratch: every order's facts from its whole event log, then the counters. The reference. */
export const recompute = (log: readonly AssessmentEvent[]): Map<string, RateCounts> => {
  const byOrder = new Map<string, OrderFacts>();
  const unique = new Map(log.map((e) => [e.eventId, e]));
  // Stryker disable next-line MethodExpression,ArrowFunction,ArithmeticOperator: equivalent, mergeFact is commutative (property test)
  for (const event of [...unique.values()].sort((a, b) => a.seq - b.seq)) {
    byOrder.set(event.orderId, mergeFact(byOrder.get(event.orderId) ?? {}, event));
  }
  const counters = new Map<string, RateCounts>();
  for (const facts of byOrder.values()) {
    const c = contributionOf(facts);
    if (c) counters.set(c.key, addCounts(counters.get(c.key) ?? zeroCounts, c.counts, 1));
  }
  return counters;
};

export interface ThreeRates {
  readonly response: number | null;
  readonly resolution: number | null;
  readonly satisfaction: number | null;
  readonly composite: number | null;
}

/** The rates of a unit-month; a rate with nothing to divide by is null, and so is the composite then. */
export const threeRates = (counts: RateCounts, rules: AssessmentRules[UnitClass]): ThreeRates => {
  const ratio = (n: number, d: number) => (d === 0 ? null : n / d);
  const response = ratio(counts.respondedInTime, counts.assessed);
  const resolution = ratio(counts.solved + rules.partlySolvedFactor * counts.partlySolved, counts.answered);
  const satisfaction = ratio(
    counts.satisfied + rules.basicallySatisfiedFactor * counts.basicallySatisfied,
    counts.answered,
  );
  const composite =
    response === null || resolution === null || satisfaction === null
      ? null
      : rules.weights.response * response +
        rules.weights.resolution * resolution +
        rules.weights.satisfaction * satisfaction;
  return { response, resolution, satisfaction, composite };
};

/**
 * The assessment facts an order's closing gives: the unit and month it counts for (the CST month in
 * which it closed) and whether its requester was contacted within the limit. A disposition names no
 * unit and is not assessed. Facts are ordered by the time of closing, so a later fact (a call-back
 * answer, a reopening) always wins.
 */
export const factsFromClosedOrder = (
  detail: {
    orderId: string;
    /** The handling round that closed: only the first one's closing says how the unit responded. */
    round?: number;
    unitId: string | null;
    outcome: string;
    flags: readonly string[];
    closedAt: string | null;
  },
  unitClass: UnitClass | undefined,
): AssessmentEvent[] => {
  if (!detail.unitId || !unitClass || !detail.closedAt || detail.outcome === 'disposed') return [];
  const at = Date.parse(detail.closedAt);
  const base = { orderId: detail.orderId, seq: at };
  return [
    {
      ...base,
      eventId: `${detail.orderId}#closed@${detail.closedAt}#unit`,
      kind: 'assessed',
      unitId: detail.unitId,
      unitClass,
      month: chinaMonthOf(at),
    },
    ...((detail.round ?? 1) === 1
      ? [
          {
            ...base,
            eventId: `${detail.orderId}#closed@${detail.closedAt}#contact`,
            kind: 'contact' as const,
            withinLimit: !detail.flags.includes('contact_overdue'),
            source: 'unit' as const,
          },
        ]
      : []),
  ];
};

/**
 * The facts a call-back round gives once it ended: the answer (solved, satisfied) or "unreachable";
 * and, for the first round, the requester's word on whether the unit contacted them within the limit,
 * which is later than the unit's own record and so replaces it. Ids are per round: settling a round
 * again (a retried schedule, a sweep) changes nothing.
 */
export const factsFromCallback = (
  orderId: string,
  callback: {
    readonly round: number;
    readonly state: string;
    readonly endedAt?: string;
    readonly answer?: {
      readonly contactedInTime: boolean;
      readonly solved: 'solved' | 'partly' | 'not';
      readonly satisfied: 'satisfied' | 'basically' | 'not';
      readonly at: string;
    };
  },
): AssessmentEvent[] => {
  const base = { orderId };
  if (callback.state === 'unreachable' && callback.endedAt) {
    return [
      {
        ...base,
        eventId: `${orderId}#callback@r${callback.round}#unreachable`,
        seq: Date.parse(callback.endedAt),
        kind: 'unreachable',
      },
    ];
  }
  const answer = callback.answer;
  if (callback.state !== 'answered' || !answer) return [];
  const seq = Date.parse(answer.at);
  return [
    {
      ...base,
      eventId: `${orderId}#callback@r${callback.round}#answer`,
      seq,
      kind: 'callback',
      solved: answer.solved,
      satisfied: answer.satisfied,
    },
    ...(callback.round === 1
      ? [
          {
            ...base,
            eventId: `${orderId}#callback@r${callback.round}#contact`,
            seq,
            kind: 'contact' as const,
            withinLimit: answer.contactedInTime,
            source: 'requester' as const,
          },
        ]
      : []),
  ];
};

/**
 * The centre excludes an order from assessment with a reason (unreasonable demand, unreachable,
 * duplicate, malicious): the fact that takes it out of its unit's rates. Recorded at `nowMs`, so it
 * wins over the facts recorded before it and loses to a later revocation.
 */
export const exclusionFact = (orderId: string, reason: ExclusionReason, nowMs: number): AssessmentEvent => ({
  eventId: `${orderId}#excluded@${new Date(nowMs).toISOString()}`,
  orderId,
  seq: nowMs,
  kind: 'excluded',
  reason,
});

/**
 * 治理类街乡镇: which townships get extra support. One rule for every caller: GET /assessment/rankings
 * knows a unit's composite and its office's orders, the monthly mining also the township's received
 * orders, overdue share and trend. A unit is considered once it has `minAssessed` assessed orders (a
 * small sample ranks by chance); it is proposed when it meets `minCriteriaMet` of the criteria its
 * figures let the rule evaluate (all of them when fewer can be evaluated, and at least one):
 *   composite     三率 composite at most maxComposite                    (weak handling)
 *   ordersPer10k  orders per 10 000 residents at least minDemandRatio × the city's figure of the same
 *                 month (when the caller knows it), and never below minOrdersPer10k (much demand for
 *                 its size: relative, so that it means the same at 100 000 orders a year and at 25 M)
 *   overdueShare  share of its orders overdue at least minOverdueShare
 *   trend         orders over the mean of the months before − 1, at least minTrend
 * A criterion without its figure is not evaluated, and the proposal says so. Beijing publishes no
 * designation thresholds (see shared GOVERNANCE.md): those of data/assessment.json are ours — e.g.
 * 120 orders a month per 10 000 residents, about 1.25 × the city's mean at 25 M orders a year.
 */
export const governanceRuleSchema = z.strictObject({
  /** Only this class is proposed (Beijing ranks its 343 streets and townships). */
  unitClass: z.enum(['district', 'street', 'department', 'enterprise']),
  /** At least this many assessed orders in the month to be considered at all. */
  minAssessed: z.number().int().min(1),
  maxComposite: z.number().min(0).max(1),
  /** The floor of orders per 10 000 residents a month, whatever the city's figure. */
  minOrdersPer10k: z.number().min(0),
  /** Orders per 10 000 residents at least this many times the city's (all the class's townships). */
  minDemandRatio: z.number().min(0).optional(),
  minOverdueShare: z.number().min(0).max(1),
  minTrend: z.number().min(-1),
  /** How many of the evaluated criteria a proposal meets. */
  minCriteriaMet: z.number().int().min(1).max(4),
  /** At most this many are proposed: most criteria met first, then the weakest composite. */
  maxProposals: z.number().int().min(1),
});
export type GovernanceRule = z.infer<typeof governanceRuleSchema>;

/** What a caller knows of a unit beyond its rates; an absent figure leaves its criterion unevaluated. */
export interface GovernanceFigures {
  /** Orders of the month and the residents of the unit's area, and what those orders are. */
  readonly volume?: {
    readonly orders: number;
    readonly population: number;
    readonly basis: string;
    /** The same figure for the whole city in the month (all the class's units), when known. */
    readonly cityPer10k?: number;
  };
  readonly overdue?: { readonly orders: number; readonly overdue: number };
  /** Orders of the month and the mean of the months before it. */
  readonly trend?: { readonly orders: number; readonly previousMean: number; readonly months: number };
}

export const governanceCriteria = ['composite', 'ordersPer10k', 'overdueShare', 'trend'] as const;
export type GovernanceCriterion = (typeof governanceCriteria)[number];

/** One criterion checked: its figure (null when unknown, then `met` is null too) against its limit. */
export interface GovernanceCheck {
  readonly criterion: 'assessed' | GovernanceCriterion;
  readonly figure: number | null;
  readonly limit: { readonly atLeast: number } | { readonly atMost: number };
  readonly met: boolean | null;
  readonly text: string;
}

export interface GovernanceAssessment {
  readonly unitId: string;
  /** Enough assessed orders to be considered. */
  readonly considered: boolean;
  readonly proposed: boolean;
  readonly criteriaMet: number;
  readonly criteriaNeeded: number;
  readonly notEvaluated: readonly GovernanceCriterion[];
  /** Every criterion with its figure, the sample size first. */
  readonly reasons: readonly GovernanceCheck[];
  /** The one line: the sample size and the criteria met. */
  readonly reason: string;
  readonly composite: number | null;
}

const percent = (x: number) => `${(x * 100).toFixed(1)} %`;
const signedPercent = (x: number) => `${x >= 0 ? '+' : '−'}${(Math.abs(x) * 100).toFixed(1)} %`;
/** 12 345 → '12 345': thin groups, as the other reasons write numbers. */
const grouped = (n: number) => n.toLocaleString('en-US').replaceAll(',', ' ');
const ratio = (n: number, d: number) => (d > 0 ? n / d : null);

const check = (
  criterion: GovernanceCheck['criterion'],
  figure: number | null,
  limit: GovernanceCheck['limit'],
  textOf: (figure: number) => string,
): GovernanceCheck => ({
  criterion,
  figure,
  limit,
  met: figure === null ? null : 'atLeast' in limit ? figure >= limit.atLeast : figure <= limit.atMost,
  text: figure === null ? `${criterion}: not evaluated (no figure)` : textOf(figure),
});

/** The rule applied to one unit, with every criterion and its figure. */
export const assessGovernance = (
  unit: Pick<RankedUnit, 'unitId' | 'counts' | 'rates'>,
  rule: GovernanceRule,
  figures: GovernanceFigures = {},
): GovernanceAssessment => {
  const { volume, overdue, trend } = figures;
  const per10k = volume ? ratio(volume.orders * 10_000, volume.population) : null;
  const growth = trend ? ratio(trend.orders, trend.previousMean) : null;
  const relativeDemand = rule.minDemandRatio === undefined ? undefined : volume?.cityPer10k;
  const demandLimit =
    relativeDemand === undefined
      ? rule.minOrdersPer10k
      : Math.max(rule.minOrdersPer10k, (rule.minDemandRatio ?? 0) * relativeDemand);
  const sample = check(
    'assessed',
    unit.counts.assessed,
    { atLeast: rule.minAssessed },
    (n) => `${n} assessed orders (at least ${rule.minAssessed})`,
  );
  const criteria = [
    check(
      'composite',
      unit.rates.composite,
      { atMost: rule.maxComposite },
      (c) => `a composite of ${percent(c)} (at most ${percent(rule.maxComposite)})`,
    ),
    check('ordersPer10k', per10k, { atLeast: demandLimit }, (v) => {
      const of = volume
        ? `; ${grouped(volume.orders)} ${volume.basis}, ${grouped(volume.population)} residents`
        : '';
      const relative =
        relativeDemand === undefined
          ? ''
          : `: ${rule.minDemandRatio} × the city's ${relativeDemand.toFixed(1)}, and at least ${rule.minOrdersPer10k}`;
      const limit = relativeDemand === undefined ? String(demandLimit) : demandLimit.toFixed(1);
      return `${v.toFixed(1)} orders per 10 000 residents (at least ${limit}${relative}${of})`;
    }),
    check(
      'overdueShare',
      overdue ? ratio(overdue.overdue, overdue.orders) : null,
      { atLeast: rule.minOverdueShare },
      (v) => `${percent(v)} of its orders overdue (at least ${percent(rule.minOverdueShare)})`,
    ),
    check(
      'trend',
      growth === null ? null : growth - 1,
      { atLeast: rule.minTrend },
      (v) =>
        `orders ${signedPercent(v)} on the mean of the ${trend?.months ?? 0} months before (at least ${signedPercent(rule.minTrend)})`,
    ),
  ];
  const evaluated = criteria.filter((c) => c.met !== null);
  const met = criteria.filter((c) => c.met === true);
  const criteriaNeeded = Math.max(1, Math.min(rule.minCriteriaMet, evaluated.length));
  const considered = sample.met === true;
  const parts = [sample, ...met].map((c) => c.text);
  return {
    unitId: unit.unitId,
    considered,
    proposed: considered && met.length >= criteriaNeeded,
    criteriaMet: met.length,
    criteriaNeeded,
    notEvaluated: criteria.filter((c) => c.met === null).map((c) => c.criterion as GovernanceCriterion),
    reasons: [sample, ...criteria],
    reason: parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : (parts[0] ?? ''),
    composite: unit.rates.composite,
  };
};

/** The rule's order: most criteria met first, then the weakest composite (unknown last), then the id. */
export const governanceOrder = (a: GovernanceAssessment, b: GovernanceAssessment): number =>
  Number(b.proposed) - Number(a.proposed) ||
  b.criteriaMet - a.criteriaMet ||
  (a.composite ?? 2) - (b.composite ?? 2) ||
  a.unitId.localeCompare(b.unitId);

export interface RankedUnit {
  readonly rank: number;
  readonly unitId: string;
  readonly counts: RateCounts;
  readonly rates: ThreeRates;
}

/** Units ranked by composite (best first); units without a composite come last, unranked. */
export const rankUnits = (
  units: readonly { unitId: string; counts: RateCounts }[],
  rules: AssessmentRules[UnitClass],
): RankedUnit[] => {
  const rated = units.map((u) => ({ ...u, rates: threeRates(u.counts, rules) }));
  const withComposite = rated
    .filter((u) => u.rates.composite !== null)
    .sort(
      (a, b) =>
        (b.rates.composite ?? 0) - (a.rates.composite ?? 0) ||
        b.counts.assessed - a.counts.assessed ||
        a.unitId.localeCompare(b.unitId),
    );
  const without = rated
    .filter((u) => u.rates.composite === null)
    .sort((a, b) => a.unitId.localeCompare(b.unitId));
  return [
    ...withComposite.map((u, i) => ({ ...u, rank: i + 1 })),
    ...without.map((u) => ({ ...u, rank: 0 })),
  ];
};

/**
 * The units the rule proposes for extra support, each with its reasons in numbers. `figuresOf` gives
 * what the caller knows of a unit beyond its rates (nothing: only the composite is evaluated).
 */
export const proposeGovernance = (
  ranked: readonly RankedUnit[],
  rule: GovernanceRule,
  figuresOf: (unitId: string) => GovernanceFigures | undefined = () => undefined,
) =>
  ranked
    .map((u) => assessGovernance(u, rule, figuresOf(u.unitId)))
    .filter((a) => a.proposed)
    .sort(governanceOrder)
    .slice(0, rule.maxProposals)
    .map(({ unitId, reason, reasons, criteriaMet, criteriaNeeded, notEvaluated }) => ({
      unitId,
      reason,
      criteriaMet,
      criteriaNeeded,
      notEvaluated,
      reasons,
    }));

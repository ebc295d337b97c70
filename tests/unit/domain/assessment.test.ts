import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import assessment from '#data/assessment.json' with { type: 'json' };
import {
  type AssessmentEvent,
  applyEvent,
  assessGovernance,
  assessmentRulesSchema,
  emptyAggregate,
  exclusionFact,
  factsFromCallback,
  factsFromClosedOrder,
  type GovernanceFigures,
  governanceRuleSchema,
  mergeFact,
  proposeGovernance,
  type RankedUnit,
  type RateCounts,
  rankUnits,
  recompute,
  threeRates,
  zeroCounts,
} from '#domain/assessment.ts';

const rules = assessmentRulesSchema.parse(assessment.rules);

describe('threeRates', () => {
  it('returns the worked example: 100 orders of a street office in a month', () => {
    // Prepare: 100 assessed, 96 contacted in time; 80 answered the call-back:
    // 70 solved, 6 partly, 4 not; 68 satisfied, 8 basically, 4 not
    const counts: RateCounts = {
      ...zeroCounts,
      assessed: 100,
      respondedInTime: 96,
      answered: 80,
      solved: 70,
      partlySolved: 6,
      satisfied: 68,
      basicallySatisfied: 8,
    };

    // Act
    const rates = threeRates(counts, rules.street);

    // Assess: p = 0.6, k = 0.8, weights 0.1 / 0.45 / 0.45
    expect(rates.response).toBeCloseTo(0.96, 10);
    expect(rates.resolution).toBeCloseTo((70 + 0.6 * 6) / 80, 10); // 0.92
    expect(rates.satisfaction).toBeCloseTo((68 + 0.8 * 8) / 80, 10); // 0.93
    expect(rates.composite).toBeCloseTo(0.1 * 0.96 + 0.45 * 0.92 + 0.45 * 0.93, 10); // 0.9285
  });

  it('returns each weight applied to its own rate, for a class whose three weights all differ', () => {
    // Prepare: a class of our own (the deployed ones weigh resolution and satisfaction alike)
    const own = {
      partlySolvedFactor: 0.5,
      basicallySatisfiedFactor: 0.25,
      weights: { response: 0.2, resolution: 0.5, satisfaction: 0.3 },
    };
    const onlyResponse: RateCounts = { ...zeroCounts, assessed: 4, respondedInTime: 4, answered: 4 };
    const onlyResolution: RateCounts = { ...zeroCounts, assessed: 4, answered: 4, solved: 4 };
    const onlySatisfaction: RateCounts = { ...zeroCounts, assessed: 4, answered: 4, satisfied: 4 };

    // Act
    const composites = [onlyResponse, onlyResolution, onlySatisfaction].map(
      (c) => threeRates(c, own).composite,
    );

    // Assess
    expect(composites[0]).toBeCloseTo(0.2, 10);
    expect(composites[1]).toBeCloseTo(0.5, 10);
    expect(composites[2]).toBeCloseTo(0.3, 10);
  });

  it('returns partly solved weighed by p in resolution only, and basically satisfied by k in satisfaction only', () => {
    // Prepare: p = 0.5 and k = 0.25 differ, so that swapping them shows
    const own = {
      partlySolvedFactor: 0.5,
      basicallySatisfiedFactor: 0.25,
      weights: { response: 0.2, resolution: 0.5, satisfaction: 0.3 },
    };
    const counts: RateCounts = {
      ...zeroCounts,
      assessed: 4,
      respondedInTime: 2,
      answered: 4,
      partlySolved: 4,
      basicallySatisfied: 4,
    };

    // Act
    const rates = threeRates(counts, own);

    // Assess
    expect(rates.response).toBeCloseTo(0.5, 10);
    expect(rates.resolution).toBeCloseTo(0.5, 10);
    expect(rates.satisfaction).toBeCloseTo(0.25, 10);
    expect(rates.composite).toBeCloseTo(0.2 * 0.5 + 0.5 * 0.5 + 0.3 * 0.25, 10);
  });

  it('returns a different composite for a department than for a street with the same counts (weights per class)', () => {
    // Prepare: all contacted in time, nobody satisfied
    const counts: RateCounts = { ...zeroCounts, assessed: 10, respondedInTime: 10, answered: 10, solved: 10 };

    // Act
    const street = threeRates(counts, rules.street).composite;
    const department = threeRates(counts, rules.department).composite;

    // Assess: street 0.1 × 1 + 0.45 × 1; department 0.2 × 1 + 0.4 × 1
    expect(street).toBeCloseTo(0.55, 10);
    expect(department).toBeCloseTo(0.6, 10);
  });

  it('returns no composite when only the response rate is missing (no assessed order, yet answers)', () => {
    // Act
    const rates = threeRates({ ...zeroCounts, answered: 2, solved: 2, satisfied: 2 }, rules.street);

    // Assess
    expect(rates).toEqual({ response: null, resolution: 1, satisfaction: 1, composite: null });
  });

  it('returns null rates when there is nothing to divide by', () => {
    expect(threeRates(zeroCounts, rules.district)).toEqual({
      response: null,
      resolution: null,
      satisfaction: null,
      composite: null,
    });
    expect(threeRates({ ...zeroCounts, assessed: 2, respondedInTime: 1 }, rules.district)).toMatchObject({
      response: 0.5,
      resolution: null,
      composite: null,
    });
  });
});

describe('assessmentRulesSchema', () => {
  it('rejects weights that do not add up to 1, and factors outside 0..1', () => {
    // Prepare: every class present (the record needs them all), only the street's rule changed
    const street = rules.street;
    const withStreet = (changed: object) => ({ ...assessment.rules, street: { ...street, ...changed } });

    // Assess
    expect(assessmentRulesSchema.parse(withStreet({})).street).toEqual(street);
    expect(() =>
      assessmentRulesSchema.parse(
        withStreet({ weights: { response: 0.5, resolution: 0.5, satisfaction: 0.5 } }),
      ),
    ).toThrow('the weights add up to 1');
    expect(() =>
      assessmentRulesSchema.parse(
        withStreet({ weights: { response: 0.1, resolution: 0.45, satisfaction: 0.44 } }),
      ),
    ).toThrow('the weights add up to 1');
    expect(() => assessmentRulesSchema.parse(withStreet({ partlySolvedFactor: 1.5 }))).toThrow();
  });
});

/** A month of orders: each a few facts with increasing sequence numbers (re-dispatch, exclusions...). */
const orderEvents = fc
  .record({
    orderId: fc.uuid(),
    units: fc.array(
      fc.record({
        unitId: fc.constantFrom('st-1', 'st-2', 'dept-a'),
        month: fc.constantFrom('2026-11', '2026-12'),
      }),
      { minLength: 0, maxLength: 2 },
    ),
    // The unit's record and the requester's word, in any number and any order.
    contacts: fc.array(
      fc.record({
        withinLimit: fc.boolean(),
        source: fc.constantFrom('unit' as const, 'requester' as const),
      }),
      { maxLength: 3 },
    ),
    callbacks: fc.array(
      fc.record({
        solved: fc.constantFrom('solved', 'partly', 'not'),
        satisfied: fc.constantFrom('satisfied', 'basically', 'not'),
        unreachable: fc.boolean(),
      }),
      { maxLength: 3 },
    ),
    exclusions: fc.array(
      fc.oneof(
        fc.constantFrom('unreasonable_demand', 'unreachable', 'duplicate', 'malicious'),
        fc.constant(null),
      ),
      { maxLength: 2 },
    ),
    order: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
  })
  .map(({ orderId, units, contacts, callbacks, exclusions, order }): AssessmentEvent[] => {
    const facts: Omit<AssessmentEvent, 'eventId' | 'orderId' | 'seq'>[] = [
      ...units.map((u) => ({
        kind: 'assessed' as const,
        unitId: u.unitId,
        unitClass: 'street' as const,
        month: u.month,
      })),
      ...contacts.map((c) => ({ kind: 'contact' as const, ...c })),
      ...callbacks.map((c) =>
        c.unreachable
          ? { kind: 'unreachable' as const }
          : { kind: 'callback' as const, solved: c.solved, satisfied: c.satisfied },
      ),
      ...exclusions.map((reason) =>
        reason === null ? { kind: 'exclusion_revoked' as const } : { kind: 'excluded' as const, reason },
      ),
    ] as Omit<AssessmentEvent, 'eventId' | 'orderId' | 'seq'>[];
    // The order the facts happened in is random too; sequence numbers follow it.
    const shuffled = facts.map((f, i) => ({ f, k: order[i % order.length] ?? 0 })).sort((a, b) => a.k - b.k);
    return shuffled.map(
      ({ f }, i) => ({ ...f, eventId: `${orderId}#${i + 1}`, orderId, seq: i + 1 }) as AssessmentEvent,
    );
  });

const nonZero = (counters: ReadonlyMap<string, RateCounts>) =>
  new Map([...counters].filter(([, c]) => Object.values(c).some((v) => v !== 0)));

describe('incremental aggregation', () => {
  it('returns the same counters as a recomputation from the log, with events duplicated and shuffled', () => {
    fc.assert(
      fc.property(
        fc.array(orderEvents, { maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 60 }),
        fc.integer(),
        (orders, duplicates, seed) => {
          // Prepare: the log, then a delivery with some events twice, in a shuffled order
          const log = orders.flat();
          const delivered = [
            ...log,
            ...duplicates.flatMap((i) => (log.length ? [log[i % log.length] as AssessmentEvent] : [])),
          ];
          // A deterministic shuffle from the generated seed, so a failure replays exactly.
          const shuffled = delivered
            .map((e, i) => ({ e, k: Math.sin(seed + i * 12.9898) }))
            .sort((a, b) => a.k - b.k)
            .map(({ e }) => e);

          // Act
          const incremental = shuffled.reduce(applyEvent, emptyAggregate());

          // Assess
          expect(nonZero(incremental.counters)).toEqual(nonZero(recompute(log)));
          for (const counts of incremental.counters.values()) {
            for (const value of Object.values(counts)) expect(value).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('counts an order once, for the unit and month it was last assessed for, and not at all when excluded', () => {
    // Prepare: dispatched to st-1, re-dispatched to st-2, answered, then excluded, then the exclusion revoked
    const e = (seq: number, fact: Record<string, unknown>) =>
      ({ eventId: `o#${seq}`, orderId: 'o', seq, ...fact }) as AssessmentEvent;
    const events = [
      e(1, { kind: 'assessed', unitId: 'st-1', unitClass: 'street', month: '2026-12' }),
      e(2, { kind: 'assessed', unitId: 'st-2', unitClass: 'street', month: '2026-12' }),
      e(3, { kind: 'contact', withinLimit: true, source: 'unit' }),
      e(4, { kind: 'callback', solved: 'partly', satisfied: 'basically' }),
      e(5, { kind: 'excluded', reason: 'unreachable' }),
    ];

    // Act
    const excluded = events.reduce(applyEvent, emptyAggregate());
    const revoked = applyEvent(excluded, e(6, { kind: 'exclusion_revoked' }));

    // Assess
    expect(excluded.counters.get('st-1|2026-12')).toEqual(zeroCounts);
    expect(excluded.counters.get('st-2|2026-12')).toEqual({ ...zeroCounts, excluded: 1 });
    expect(revoked.counters.get('st-2|2026-12')).toEqual({
      ...zeroCounts,
      assessed: 1,
      respondedInTime: 1,
      answered: 1,
      partlySolved: 1,
      basicallySatisfied: 1,
    });
  });
});

describe('the contact fact', () => {
  const e = (seq: number, fact: Record<string, unknown>) =>
    ({ eventId: `o#${seq}`, orderId: 'o', seq, ...fact }) as AssessmentEvent;

  it("keeps the requester's word over a later record of the unit's (a call-back before the closing)", () => {
    // Prepare: the limit ran out, the requester answered "not in time", then the unit's order closed
    const events = [
      e(1, { kind: 'contact', withinLimit: false, source: 'requester' }),
      e(2, { kind: 'assessed', unitId: 'st-1', unitClass: 'street', month: '2026-12' }),
      e(2, { kind: 'contact', withinLimit: true, source: 'unit' }),
    ].map((event, i) => ({ ...event, eventId: `o#${i}` }));

    // Act
    const inOrder = events.reduce(applyEvent, emptyAggregate());
    const reversed = [...events].reverse().reduce(applyEvent, emptyAggregate());

    // Assess
    expect(inOrder.counters.get('st-1|2026-12')).toMatchObject({ assessed: 1, respondedInTime: 0 });
    expect(reversed.counters).toEqual(inOrder.counters);
  });

  it('takes the later of two facts from the same source', () => {
    const facts = [
      e(1, { kind: 'assessed', unitId: 'st-1', unitClass: 'street', month: '2026-12' }),
      e(2, { kind: 'contact', withinLimit: false, source: 'unit' }),
      e(3, { kind: 'contact', withinLimit: true, source: 'unit' }),
    ];
    expect(facts.reduce(applyEvent, emptyAggregate()).counters.get('st-1|2026-12')).toMatchObject({
      respondedInTime: 1,
    });
  });
});

describe('factsFromClosedOrder', () => {
  const detail = {
    orderId: 'WO1',
    unitId: 'st-110105001',
    outcome: 'handled',
    flags: [] as string[],
    closedAt: '2026-11-30T16:30:00.000Z', // 00:30 on 1 December in Beijing
  };

  it('returns the unit and the CST month of closing, and a contact in time when no contact deadline was missed', () => {
    const facts = factsFromClosedOrder(detail, 'street');
    expect(facts).toEqual([
      expect.objectContaining({
        kind: 'assessed',
        unitId: 'st-110105001',
        unitClass: 'street',
        month: '2026-12',
        orderId: 'WO1',
      }),
      expect.objectContaining({ kind: 'contact', withinLimit: true }),
    ]);
    expect(new Set(facts.map((f) => f.eventId)).size).toBe(2);
  });

  it('returns a late contact when the contact deadline was missed, and nothing for a disposition', () => {
    expect(factsFromClosedOrder({ ...detail, flags: ['contact_overdue'] }, 'street')[1]).toMatchObject({
      withinLimit: false,
    });
    expect(factsFromClosedOrder({ ...detail, unitId: null, outcome: 'disposed' }, undefined)).toEqual([]);
  });
});

describe('exclusionFact', () => {
  it('returns an exclusion that takes a counted order out of its rates, and a later revocation puts it back', () => {
    // Prepare: an order counted for st-1 in December, contacted in time
    const closedAt = Date.parse('2026-12-10T02:00:00.000Z');
    const counted = factsFromClosedOrder(
      {
        orderId: 'o',
        unitId: 'st-1',
        outcome: 'handled',
        flags: [],
        closedAt: new Date(closedAt).toISOString(),
      },
      'street',
    ).reduce(applyEvent, emptyAggregate());

    // Act
    const excluded = applyEvent(counted, exclusionFact('o', 'duplicate', closedAt + 1000));
    const revoked = applyEvent(excluded, {
      eventId: 'o#revoked',
      orderId: 'o',
      seq: closedAt + 2000,
      kind: 'exclusion_revoked',
    });

    // Assess
    expect(excluded.counters.get('st-1|2026-12')).toEqual({ ...zeroCounts, excluded: 1 });
    expect(revoked.counters.get('st-1|2026-12')).toEqual({ ...zeroCounts, assessed: 1, respondedInTime: 1 });
  });
});

describe('rankUnits and proposeGovernance', () => {
  const counts = (
    assessed: number,
    inTime: number,
    answered: number,
    solved: number,
    satisfied: number,
  ): RateCounts => ({
    ...zeroCounts,
    assessed,
    respondedInTime: inTime,
    answered,
    solved,
    satisfied,
  });

  it('returns units best first by composite, units without one last and unranked', () => {
    // Act
    const ranked = rankUnits(
      [
        { unitId: 'st-weak', counts: counts(80, 60, 60, 40, 40) },
        { unitId: 'st-strong', counts: counts(100, 100, 90, 88, 89) },
        { unitId: 'st-empty', counts: zeroCounts },
      ],
      rules.street,
    );

    // Assess
    expect(ranked.map((r) => [r.unitId, r.rank])).toEqual([
      ['st-strong', 1],
      ['st-weak', 2],
      ['st-empty', 0],
    ]);
  });

  it('proposes the weak townships with much volume, weakest first, each with its reason', () => {
    // Prepare
    const ranked = rankUnits(
      [
        { unitId: 'st-weak-busy', counts: counts(80, 60, 60, 40, 40) },
        { unitId: 'st-weak-quiet', counts: counts(10, 5, 5, 2, 2) },
        { unitId: 'st-strong', counts: counts(100, 100, 90, 88, 89) },
      ],
      rules.street,
    );

    // Act
    const proposals = proposeGovernance(ranked, governanceRuleSchema.parse(assessment.governance));

    // Assess: 50 assessed at least, composite at most 85 %
    expect(proposals.map((p) => p.unitId)).toEqual(['st-weak-busy']);
    expect(proposals[0]?.reason).toMatch(
      /^80 assessed orders \(at least 50\) and a composite of \d+\.\d % \(at most 85\.0 %\)$/,
    );
  });
});

describe('assessGovernance and proposeGovernance with the figures of the mining', () => {
  const rule = governanceRuleSchema.parse(assessment.governance);
  /** A street office's month: a composite of about 66 % (weak) or 99 % (strong). */
  const office = (unitId: string, weak: boolean) =>
    rankUnits(
      [
        {
          unitId,
          counts: weak
            ? { ...zeroCounts, assessed: 80, respondedInTime: 60, answered: 60, solved: 40, satisfied: 40 }
            : { ...zeroCounts, assessed: 80, respondedInTime: 80, answered: 60, solved: 59, satisfied: 60 },
        },
      ],
      rules.street,
    )[0] as RankedUnit;
  const population = 50_000;
  /** Figures that meet (or miss) the volume, overdue and trend criteria of the rule. */
  const figures = (meet: { volume: boolean; overdue: boolean; trend: boolean }): GovernanceFigures => {
    const orders = Math.ceil(((rule.minOrdersPer10k * population) / 10_000) * (meet.volume ? 1.5 : 0.5));
    return {
      volume: { orders, population, basis: 'received in the township' },
      overdue: { orders, overdue: Math.ceil(orders * rule.minOverdueShare * (meet.overdue ? 1.5 : 0.5)) },
      trend: { orders, previousMean: orders / (1 + rule.minTrend * (meet.trend ? 2 : 0.5)), months: 3 },
    };
  };

  it('returns every criterion with its figure, and proposes a unit meeting enough of them', () => {
    // Act
    const judged = assessGovernance(
      office('st-a', false),
      rule,
      figures({ volume: true, overdue: true, trend: false }),
    );

    // Assess: a strong composite, but much volume and overdue
    expect(judged.reasons.map((r) => [r.criterion, r.met])).toEqual([
      ['assessed', true],
      ['composite', false],
      ['ordersPer10k', true],
      ['overdueShare', true],
      ['trend', false],
    ]);
    expect(judged.reasons.every((r) => typeof r.figure === 'number')).toBe(true);
    expect(judged).toMatchObject({
      proposed: true,
      criteriaMet: 2,
      criteriaNeeded: rule.minCriteriaMet,
      notEvaluated: [],
    });
    expect(judged.reason).toMatch(
      /^80 assessed orders \(at least 50\), \d+\.\d orders per 10 000 residents \(at least \d+; [\d ]+ received in the township, 50 000 residents\) and \d+\.\d % of its orders overdue \(at least \d+\.\d %\)$/,
    );
  });

  it('returns the volume per 10 000 residents as orders × 10 000 / population', () => {
    // Prepare
    const f = figures({ volume: true, overdue: false, trend: false });

    // Act
    const judged = assessGovernance(office('st-a', true), rule, f);

    // Assess
    expect(judged.reasons.find((r) => r.criterion === 'ordersPer10k')?.figure).toBe(
      ((f.volume?.orders ?? 0) * 10_000) / population,
    );
  });

  it("measures demand against the city's figure of the month when it is known, never below the floor", () => {
    // Prepare: a township at 1.5 × and one at 1.1 × the city's orders per 10 000 residents
    const city = 400;
    const at = (times: number): GovernanceFigures => ({
      volume: {
        orders: (city * times * population) / 10_000,
        population,
        basis: 'received',
        cityPer10k: city,
      },
    });
    const quiet = { volume: { orders: 1, population, basis: 'received', cityPer10k: 1 } };

    // Act
    const busy = assessGovernance(office('st-a', true), rule, at(1.5));
    const usual = assessGovernance(office('st-a', true), rule, at(1.1));
    const floor = assessGovernance(office('st-a', true), rule, quiet);

    // Assess
    const demand = (g: ReturnType<typeof assessGovernance>) =>
      g.reasons.find((r) => r.criterion === 'ordersPer10k');
    expect(rule.minDemandRatio).toBeGreaterThan(1.1);
    expect(rule.minDemandRatio).toBeLessThan(1.5);
    expect(demand(busy)).toMatchObject({ met: true, limit: { atLeast: (rule.minDemandRatio ?? 0) * city } });
    expect(demand(busy)?.text).toContain(`${rule.minDemandRatio} × the city's 400.0`);
    expect(demand(usual)?.met).toBe(false);
    expect(demand(floor)).toMatchObject({ met: false, limit: { atLeast: rule.minOrdersPer10k } });
  });

  it('rejects a unit that meets one criterion of the four', () => {
    // Act
    const judged = assessGovernance(
      office('st-a', true),
      rule,
      figures({ volume: false, overdue: false, trend: false }),
    );

    // Assess
    expect(judged).toMatchObject({ proposed: false, criteriaMet: 1, criteriaNeeded: 2 });
  });

  it('rejects a unit with too few assessed orders, whatever its figures', () => {
    // Prepare
    const few = rankUnits(
      [
        {
          unitId: 'st-few',
          counts: { ...zeroCounts, assessed: 10, respondedInTime: 2, answered: 10, solved: 1 },
        },
      ],
      rules.street,
    )[0] as RankedUnit;

    // Act
    const judged = assessGovernance(few, rule, figures({ volume: true, overdue: true, trend: true }));

    // Assess
    expect(judged).toMatchObject({ considered: false, proposed: false, criteriaMet: 4 });
  });

  it('returns the criteria it could not evaluate and needs only as many as it could', () => {
    // Prepare: what GET /assessment/rankings knows: the composite and the office's volume
    const { volume } = figures({ volume: false, overdue: false, trend: false });

    // Act
    const judged = assessGovernance(office('st-a', true), rule, { ...(volume ? { volume } : {}) });

    // Assess: 2 evaluated, both needed; only the composite met
    expect(judged).toMatchObject({
      notEvaluated: ['overdueShare', 'trend'],
      criteriaNeeded: 2,
      proposed: false,
    });
    expect(judged.reasons.filter((r) => r.met === null).map((r) => r.text)).toEqual([
      'overdueShare: not evaluated (no figure)',
      'trend: not evaluated (no figure)',
    ]);
  });

  it('rejects a unit when no criterion can be evaluated', () => {
    // Prepare: assessed orders but no call-back answer, so no composite
    const unanswered = rankUnits(
      [{ unitId: 'st-quiet', counts: { ...zeroCounts, assessed: 80, respondedInTime: 80 } }],
      rules.street,
    )[0] as RankedUnit;

    // Act
    const judged = assessGovernance(unanswered, rule);

    // Assess
    expect(judged).toMatchObject({ proposed: false, criteriaMet: 0, criteriaNeeded: 1 });
  });

  it('proposes the units meeting most criteria first, then the weakest composite, at most maxProposals', () => {
    // Prepare
    const ranked = [
      office('st-two', true),
      office('st-three', false),
      office('st-one', true),
      office('st-four', true),
    ];
    const known: Record<string, GovernanceFigures> = {
      'st-two': figures({ volume: true, overdue: false, trend: false }),
      'st-three': figures({ volume: true, overdue: true, trend: true }),
      'st-one': figures({ volume: false, overdue: false, trend: false }),
      'st-four': figures({ volume: true, overdue: true, trend: true }),
    };

    // Act
    const proposals = proposeGovernance(ranked, { ...rule, maxProposals: 2 }, (id) => known[id]);

    // Assess
    expect(proposals.map((p) => [p.unitId, p.criteriaMet])).toEqual([
      ['st-four', 4],
      ['st-three', 3],
    ]);
    expect(proposeGovernance(ranked, rule, (id) => known[id]).map((p) => p.unitId)).toEqual([
      'st-four',
      'st-three',
      'st-two',
    ]);
  });
});

describe('mergeFact and applyEvent', () => {
  const assessed = (seq: number, unitId = 'st-1'): AssessmentEvent => ({
    eventId: `o1#${seq}`,
    orderId: 'o1',
    seq,
    kind: 'assessed',
    unitId,
    unitClass: 'street',
    month: '2026-12',
  });

  it('returns the facts unchanged for a second fact with the same sequence number (the same event again)', () => {
    // Prepare
    const facts = mergeFact({}, assessed(5, 'st-1'));

    // Act
    const again = mergeFact(facts, { ...assessed(5, 'st-2'), eventId: 'o1#5-redelivered' });

    // Assess
    expect(again).toBe(facts);
  });

  it('returns an unreachable call-back as that fact, replacing an earlier answer', () => {
    // Prepare
    const answered = mergeFact(
      {},
      { eventId: 'a', orderId: 'o1', seq: 3, kind: 'callback', solved: 'solved', satisfied: 'satisfied' },
    );

    // Act
    const facts = mergeFact(answered, { eventId: 'b', orderId: 'o1', seq: 4, kind: 'unreachable' });

    // Assess
    expect(facts.callback).toEqual({ unreachable: true, seq: 4 });
  });

  it('returns the very same aggregate for an event already applied: nothing to write', () => {
    // Prepare
    const once = applyEvent(emptyAggregate(), assessed(1));

    // Act
    const twice = applyEvent(once, assessed(1));

    // Assess
    expect(once.seen.has('o1#1')).toBe(true);
    expect(twice).toBe(once);
  });
});

describe('factsFromClosedOrder, in full', () => {
  const detail = {
    orderId: 'o1',
    unitId: 'st-1',
    outcome: 'handled',
    flags: [] as string[],
    closedAt: '2026-12-02T02:00:00.000Z',
  };

  it('returns the ids of the unit and contact facts, one per closing', () => {
    // Assess
    expect(factsFromClosedOrder(detail, 'street').map((f) => f.eventId)).toEqual([
      'o1#closed@2026-12-02T02:00:00.000Z#unit',
      'o1#closed@2026-12-02T02:00:00.000Z#contact',
    ]);
  });

  it('returns only the unit fact when a later round closes: its contact was counted in round 1', () => {
    // Assess
    expect(factsFromClosedOrder({ ...detail, round: 2 }, 'street').map((f) => f.kind)).toEqual(['assessed']);
    expect(factsFromClosedOrder({ ...detail, round: 1 }, 'street').map((f) => f.kind)).toEqual([
      'assessed',
      'contact',
    ]);
  });

  it('returns nothing without a unit, a unit class or a closing time, and for a disposition', () => {
    // Assess
    expect(factsFromClosedOrder({ ...detail, unitId: null }, 'street')).toEqual([]);
    expect(factsFromClosedOrder(detail, undefined)).toEqual([]);
    expect(factsFromClosedOrder({ ...detail, closedAt: null }, 'street')).toEqual([]);
    expect(factsFromClosedOrder({ ...detail, outcome: 'disposed' }, 'street')).toEqual([]);
    expect(factsFromClosedOrder({ ...detail, outcome: 'expired' }, 'street')).toHaveLength(2);
  });
});

describe('factsFromCallback, in full', () => {
  const answer = {
    contactedInTime: true,
    solved: 'solved' as const,
    satisfied: 'satisfied' as const,
    at: '2026-12-03T02:00:00.000Z',
  };

  it('returns nothing for a round answered without its answer on record, or with an answer but not ended', () => {
    // Assess
    expect(factsFromCallback('o1', { round: 1, state: 'answered' })).toEqual([]);
    expect(factsFromCallback('o1', { round: 1, state: 'open', answer })).toEqual([]);
    expect(factsFromCallback('o1', { round: 2, state: 'answered', answer }).map((f) => f.kind)).toEqual([
      'callback',
    ]);
  });
});

describe('exclusionFact, in full', () => {
  it('returns an id naming the order and the moment, so that the same exclusion twice is one fact', () => {
    // Assess
    expect(exclusionFact('o1', 'duplicate', Date.parse('2026-12-03T02:00:00.000Z')).eventId).toBe(
      'o1#excluded@2026-12-03T02:00:00.000Z',
    );
  });
});

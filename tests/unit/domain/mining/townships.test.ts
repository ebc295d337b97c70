import { describe, expect, it } from 'vitest';
import assessment from '#data/assessment.json' with { type: 'json' };
import {
  type AssessmentRules,
  assessmentRulesSchema,
  type GovernanceCheck,
  governanceRuleSchema,
  zeroCounts,
} from '#domain/assessment.ts';
import {
  cityOrdersPer10k,
  populationsOf,
  type TownshipFigures,
  type TownshipGovernance,
  townshipGovernance,
} from '#domain/mining/townships.ts';

const rules = assessmentRulesSchema.parse(assessment.rules);
const rule = governanceRuleSchema.parse(assessment.governance);

/** A township's month: a weak office (composite about 44 %) with 100 assessed orders. */
const township = (streetCode: string, overrides: Partial<TownshipFigures> = {}): TownshipFigures => ({
  streetCode,
  orders: 120,
  overdueOrders: 0,
  previousOrders: [120, 120, 120],
  counts: { ...zeroCounts, assessed: 100, respondedInTime: 80, answered: 90, solved: 30, satisfied: 30 },
  ...overrides,
});

describe('populationsOf', () => {
  it('returns the population of every area that has one, by code, and skips the others', () => {
    // Act
    const populations = populationsOf([
      { code: '110105001', name: '建外街道', population: 33_000 },
      { code: '110105002', name: '朝外街道' },
      { code: '110105003', population: 'many' },
    ]);

    // Assess
    expect([...populations]).toEqual([['110105001', 33_000]]);
  });

  it('skips a population that is not a positive whole number of residents', () => {
    // Act
    const populations = populationsOf([
      { code: '110105001', population: 0 },
      { code: '110105002', population: -40 },
      { code: '110105003', population: 12.5 },
      { code: '110105004', population: 1 },
      { population: 5_000 },
    ]);

    // Assess
    expect([...populations]).toEqual([['110105004', 1]]);
  });
});

describe('cityOrdersPer10k', () => {
  it('returns the orders per 10 000 residents of the areas with a population, the others left out', () => {
    // Act: (30 + 10) orders over 40 000 residents; 500 orders without a population, 7 with none
    const per10k = cityOrdersPer10k([
      { orders: 30, population: 10_000 },
      { orders: 10, population: 30_000 },
      { orders: 500, population: undefined },
      { orders: 7, population: 0 },
    ]);

    // Assess: 40 × 10 000 / 40 000
    expect(per10k).toBe(10);
  });

  it('returns undefined when no area has a population', () => {
    // Act / Assess
    expect(cityOrdersPer10k([])).toBeUndefined();
    expect(
      cityOrdersPer10k([
        { orders: 500, population: undefined },
        { orders: 7, population: 0 },
      ]),
    ).toBeUndefined();
  });
});

/** The street office's counters: `assessed` orders, 80 % in time, 90 % answered, `solved` of the answered. */
const office = (assessed: number, solvedShare: number) => {
  const answered = (assessed * 9) / 10;
  const solved = Math.round(answered * solvedShare);
  return {
    ...zeroCounts,
    assessed,
    respondedInTime: (assessed * 8) / 10,
    answered,
    solved,
    satisfied: solved,
  };
};
const ordersPer10kOf = (t: TownshipGovernance | undefined): GovernanceCheck | undefined =>
  t?.reasons.find((r) => r.criterion === 'ordersPer10k');

describe('townshipGovernance', () => {
  it('returns the townships that need help first, in the order of the rule, each ranked', () => {
    // Prepare: composites 0.1 × 0.8 + 0.9 × solved share (no population: demand not evaluated)
    const figures = [
      // A strong office (composite 1): no criterion met.
      township('110105001', {
        orders: 30,
        previousOrders: [30, 30, 30],
        counts: {
          ...zeroCounts,
          assessed: 100,
          respondedInTime: 100,
          answered: 90,
          solved: 90,
          satisfied: 90,
        },
      }),
      // Weak (0.38), 25 % overdue, orders +50 %: three criteria met.
      township('110105002', { overdueOrders: 30, previousOrders: [80, 80, 80], counts: office(100, 1 / 3) }),
      // Less weak (0.53), 25 % overdue, orders flat: two criteria met.
      township('110105003', { overdueOrders: 30, counts: office(100, 0.5) }),
      // As weak and as overdue as the second, but only 40 assessed orders: not considered.
      township('110105004', { overdueOrders: 30, previousOrders: [80, 80, 80], counts: office(40, 1 / 3) }),
    ];

    // Act
    const { townships, proposals } = townshipGovernance(figures, new Map(), rules, rule);

    // Assess: proposed first (most criteria met), then the others by criteria met
    expect(
      townships.map((t) => [t.rank, t.unitId, t.streetCode, t.proposed, t.criteriaMet, t.compositeRank]),
    ).toEqual([
      [1, 'st-110105002', '110105002', true, 3, 3],
      [2, 'st-110105003', '110105003', true, 2, 2],
      [3, 'st-110105004', '110105004', false, 3, 4],
      [4, 'st-110105001', '110105001', false, 0, 1],
    ]);
    expect(townships[3]?.rates.composite).toBe(1);
    expect(townships[3]?.orders).toBe(30);
    expect(proposals.map((t) => t.streetCode)).toEqual(['110105002', '110105003']);
  });

  it('returns at most maxProposals proposals, the first of the rule order', () => {
    // Prepare
    const figures = [
      township('110105001', { overdueOrders: 30, counts: office(100, 0.5) }),
      township('110105002', { overdueOrders: 30, previousOrders: [80, 80, 80] }),
    ];

    // Act
    const { townships, proposals } = townshipGovernance(figures, new Map(), rules, {
      ...rule,
      maxProposals: 1,
    });

    // Assess
    expect(townships.filter((t) => t.proposed)).toHaveLength(2);
    expect(proposals.map((t) => t.streetCode)).toEqual(['110105002']);
  });

  it("returns the demand per 10 000 residents against 1.25 × the city's, the townships without a population left out", () => {
    // Prepare: the city is (120 + 30) orders over 50 000 residents = 30 per 10 000; the limit 1.25 × 30
    const figures = [
      township('110105001', { orders: 120 }),
      township('110105002', { orders: 30 }),
      township('110105003', { orders: 500 }),
    ];
    const populations = new Map([
      ['110105001', 20_000],
      ['110105002', 30_000],
    ]);

    // Act
    const { townships } = townshipGovernance(figures, populations, rules, rule);
    const byCode = new Map(townships.map((t) => [t.streetCode, t]));

    // Assess
    expect(byCode.get('110105001')?.population).toBe(20_000);
    expect(byCode.get('110105003')?.population).toBeNull();
    expect(ordersPer10kOf(byCode.get('110105001'))).toMatchObject({
      figure: 60,
      limit: { atLeast: 37.5 },
      met: true,
    });
    expect(ordersPer10kOf(byCode.get('110105001'))?.text).toContain(
      '120 received in the township, 20 000 residents',
    );
    expect(ordersPer10kOf(byCode.get('110105002'))).toMatchObject({
      figure: 10,
      limit: { atLeast: 37.5 },
      met: false,
    });
    expect(ordersPer10kOf(byCode.get('110105003'))).toMatchObject({ figure: null, met: null });
  });

  it('rejects rules without the street class', () => {
    // Prepare
    const { street: _, ...withoutStreets } = rules;

    // Act / Assess
    expect(() =>
      townshipGovernance([township('110105001')], new Map(), withoutStreets as AssessmentRules, rule),
    ).toThrow('No assessment rules for the street class');
  });

  it('returns the trend unevaluated when no month before has orders, or the store covers none', () => {
    // Act
    const { townships } = townshipGovernance(
      [
        township('110105001', { previousOrders: [0, null, 0] }),
        township('110105002', { previousOrders: [null, null, null] }),
      ],
      new Map(),
      rules,
      rule,
    );

    // Assess
    expect(townships.map((t) => t.notEvaluated)).toEqual([
      ['ordersPer10k', 'trend'],
      ['ordersPer10k', 'trend'],
    ]);
  });

  it('returns the trend against the mean of the covered months only', () => {
    // Act
    const { townships } = townshipGovernance(
      [township('110105001', { orders: 150, previousOrders: [100, null, 50] })],
      new Map(),
      rules,
      rule,
    );

    // Assess: 150 / mean(100, 50) − 1
    expect(townships[0]?.reasons.find((r) => r.criterion === 'trend')?.figure).toBe(1);
  });

  it('proposes nothing when the rule names another class than the streets', () => {
    // Prepare: overdue and weak, enough for the street rule
    const figures = [township('110105001', { overdueOrders: 60 })];

    // Act
    const street = townshipGovernance(figures, new Map(), rules, rule);
    const other = townshipGovernance(figures, new Map(), rules, { ...rule, unitClass: 'district' });

    // Assess
    expect(street.proposals).toHaveLength(1);
    expect(other.proposals).toEqual([]);
  });
});

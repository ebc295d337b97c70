import { describe, expect, it } from 'vitest';
import assessment from '#data/assessment.json' with { type: 'json' };
import { assessmentRulesSchema, governanceRuleSchema, zeroCounts } from '#domain/assessment.ts';
import { populationsOf, type TownshipFigures, townshipGovernance } from '#domain/mining/townships.ts';

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
});

describe('townshipGovernance', () => {
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
